select
    s.site_id,
    s.source_system,
    s.site_name_en,
    s.site_name_zh,
    s.country_code,
    s.timezone,
    s.calendar_id,
    s.headcount
from {{ ref('stg_esm_export__sites') }} as s
