{#-
  The latest version of each record per (source, key): raw keeps every version received,
  and a record deleted at the source (raw._deletions) after its latest version is dropped.
  Only keys received more than once go through the window; the rest pass straight through,
  which at a million requests is most of them and roughly halves the cost.
-#}
{% macro latest_version(relation, key, order_by='_loaded_at desc', parent_key=none) -%}
    with versions as (
        -- a record the source deleted after its latest version was received is gone
        select v.* from {{ relation }} as v
        where not exists (
            select 1 from {{ source('esm_export', '_deletions') }} as d
            where d.source_system = v._source_system
                and d.entity = '{{ relation.identifier }}'
                and d.record_id = cast(v.{{ key }} as varchar)
                and d._loaded_at >= v._loaded_at
        )
        {%- if parent_key %}
        -- and so are the children of a deleted request
        and not exists (
            select 1 from {{ source('esm_export', '_deletions') }} as d
            where d.source_system = v._source_system
                and d.entity = 'requests'
                and d.record_id = cast(v.{{ parent_key }} as varchar)
        )
        {%- endif %}
    ),

    repeated as (
        select _source_system, {{ key }}
        from versions
        group by _source_system, {{ key }}
        having count(*) > 1
    ),

    single as (
        select v.*
        from versions as v
        left join repeated as r on v._source_system = r._source_system and v.{{ key }} = r.{{ key }}
        where r.{{ key }} is null
    ),

    latest as (
        select v.*
        from versions as v
        inner join repeated as r on v._source_system = r._source_system and v.{{ key }} = r.{{ key }}
        qualify row_number() over (
            partition by v._source_system, v.{{ key }} order by {{ order_by }}, v._record_hash
        ) = 1
    )

    select * from single
    union all
    select * from latest
{%- endmacro %}
