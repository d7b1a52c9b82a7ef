{#- seconds between two timestamps -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    datediff('second', {{ start_ts }}, {{ end_ts }})
{%- endmacro %}
