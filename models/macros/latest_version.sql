{#- keep the latest version of each record per (source, key): raw keeps every version received -#}
{% macro latest_version(key, order_by='_loaded_at desc') -%}
    qualify row_number() over (partition by _source_system, {{ key }} order by {{ order_by }}, _record_hash) = 1
{%- endmacro %}
