{#- a naive local timestamp in IANA zone `tz` -> naive UTC timestamp -#}
{% macro to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('to_utc')(ts, tz)) }}
{%- endmacro %}

{% macro duckdb__to_utc(ts, tz) -%}
    timezone('UTC', timezone({{ tz }}, {{ ts }}))
{%- endmacro %}

{% macro default__to_utc(ts, tz) -%}
    to_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{% macro postgres__to_utc(ts, tz) -%}
    (({{ ts }} at time zone {{ tz }}) at time zone 'UTC')
{%- endmacro %}
