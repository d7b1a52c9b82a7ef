select
    calendar_id,
    timezone,
    country as country_code,
    cast(is_default as boolean) as is_default
from {{ source('reference', 'calendars') }}
