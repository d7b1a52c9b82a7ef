select
    metric_id,
    family,
    label_en,
    label_zh,
    unit,
    direction,
    cast(target as double) as target,
    cast(amber_tolerance as double) as amber_tolerance,
    formula
from {{ source('reference', 'metrics') }}
