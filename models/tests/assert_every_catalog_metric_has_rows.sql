-- every metric in the catalog appears in mart_kpi_monthly for the whole company; a warning, not an error:
-- a source that sends no surveys (say) has no CSAT rows, and that must not stop its build
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'mart_kpi_monthly'}}}) }}

select m.metric_id
from {{ ref('dim_metrics') }} as m
left join (select distinct metric_id from {{ ref('mart_kpi_monthly') }} where dimension = 'all') as k
    on m.metric_id = k.metric_id
where k.metric_id is null
