{#-
  Breakdowns of the monthly KPI mart: (dimension name -> column). A metric computed with
  `kpi_breakdown_columns` / `kpi_grouping_sets` gets one row per month for the company ('all') and one per
  value of each dimension present in its relation.
-#}
{% macro kpi_dimensions(names=none) -%}
    {%- set all_dims = {
        'department': 'domain_id',
        'service_category': 'category_id',
        'service': 'service_id',
        'channel': 'channel',
        'site': 'site_id',
        'priority': 'priority',
        'requester_role': 'requester_role'
    } -%}
    {%- if names is none -%}{{ return(all_dims) }}{%- endif -%}
    {%- set out = {} -%}
    {%- for n in names -%}{%- do out.update({n: all_dims[n]}) -%}{%- endfor -%}
    {{ return(out) }}
{%- endmacro %}

{% macro kpi_breakdown_columns(month_col, dims) -%}
    {{ month_col }} as month,
    case
    {%- for name, col in dims.items() %}
        when grouping({{ col }}) = 0 then '{{ name }}'
    {%- endfor %}
        else 'all'
    end as dimension,
    case
    {%- for name, col in dims.items() %}
        when grouping({{ col }}) = 0 then coalesce(cast({{ col }} as varchar), 'unknown')
    {%- endfor %}
        else 'all'
    end as dimension_value
{%- endmacro %}

{% macro kpi_grouping_sets(month_col, dims) -%}
    grouping sets (
        ({{ month_col }})
    {%- for name, col in dims.items() %},
        ({{ month_col }}, {{ col }})
    {%- endfor %}
    )
{%- endmacro %}

{#- wide (month, dimension, dimension_value, <metric columns>) -> long rows, one per metric -#}
{% macro kpi_unpivot(relation, metric_ids) -%}
    {%- for m in metric_ids %}
    select '{{ m }}' as metric_id, month, dimension, dimension_value, cast({{ m }} as double) as value
    from {{ relation }}
    where {{ m }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- portable percentiles -#}
{% macro percentile(expr, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro median(expr) -%}
    {{ percentile(expr, 0.5) }}
{%- endmacro %}
