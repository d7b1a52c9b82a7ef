{#- Whether catalog mapping rule `rule` matches request `req` (case-insensitive). -#}
{% macro catalog_rule_matches(rule, req) -%}
    {%- set value -%}
        lower(case {{ rule }}.match_field
            {%- for f in ['source_category', 'source_subcategory', 'subject', 'channel', 'assigned_group', 'priority'] %}
            when '{{ f }}' then {{ req }}.{{ f }}
            {%- endfor %}
        end)
    {%- endset -%}
    (
        ({{ rule }}.match_type = 'equals' and {{ value }} = {{ rule }}.pattern_lower)
        or ({{ rule }}.match_type = 'contains' and {{ value }} like '%' || {{ rule }}.pattern_lower || '%')
        or ({{ rule }}.match_type = 'regex' and regexp_matches({{ value }}, {{ rule }}.pattern))
    )
{%- endmacro %}
