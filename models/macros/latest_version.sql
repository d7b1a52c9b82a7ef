{#-
  The latest version of each record per (source, key): raw keeps every version received.
  Only keys received more than once go through the window; the rest pass straight through,
  which at a million requests is most of them and roughly halves the cost.
-#}
{% macro latest_version(relation, key, order_by='_loaded_at desc') -%}
    with versions as (
        select * from {{ relation }}
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
