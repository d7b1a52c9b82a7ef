select status as pause_status
from {{ source('reference', 'sla_pause_statuses') }}
