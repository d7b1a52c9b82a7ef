select
    cast(escalation_level as integer) as escalation_level,
    cast(target_share as double) as target_share
from {{ source('reference', 'sla_escalation_levels') }}
