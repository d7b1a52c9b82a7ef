-- The metrics catalog (config/metrics.yml) for dashboards: labels, units, direction, targets.
select * from {{ ref('stg_reference__metrics') }}
