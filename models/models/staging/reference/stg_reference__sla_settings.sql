select cast(near_breach_share as double) as near_breach_share
from {{ source('reference', 'sla_settings') }}
