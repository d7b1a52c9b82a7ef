select
    priority,
    cast(response_minutes as integer) as response_target_minutes,
    cast(resolution_minutes as integer) as resolution_target_minutes,
    clock as clock_type
from {{ source('reference', 'sla_policies') }}
