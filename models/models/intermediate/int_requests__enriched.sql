-- Requests with their catalog levels, requester and site calendar.
with requests as (
    select * from {{ ref('stg_esm_export__requests') }}
),

services as (
    select * from {{ ref('stg_esm_export__service_catalog') }}
),

requesters as (
    select * from {{ ref('stg_esm_export__requesters') }}
),

sites as (
    select * from {{ ref('stg_esm_export__sites') }}
),

default_calendar as (
    select calendar_id from {{ ref('stg_reference__calendars') }} where is_default
),

final as (
    select
        r.request_id,
        r.source_system,
        r.source_request_id,
        r.requester_id,
        q.requester_department,
        q.requester_site_id as site_id,
        q.requester_role,
        r.service_id,
        s.domain_id,
        s.domain_name_en,
        s.domain_name_zh,
        s.category_id,
        s.category_name_en,
        s.category_name_zh,
        s.service_name_en,
        s.service_name_zh,
        s.process_type,
        r.channel,
        r.priority,
        r.urgency,
        r.impact,
        r.status,
        r.resolution_code,
        r.assigned_group,
        r.agent_id,
        r.source_timezone,
        coalesce(site.calendar_id, (select calendar_id from default_calendar)) as calendar_id,
        r.opened_at,
        r.first_response_at,
        r.resolved_at,
        r.closed_at,
        r.opened_at_local,
        r.resolved_at_local
    from requests as r
    left join services as s on r.service_id = s.service_id and r.source_system = s.source_system
    left join requesters as q on r.requester_id = q.requester_id and r.source_system = q.source_system
    left join sites as site on q.requester_site_id = site.site_id and q.source_system = site.source_system
)

select * from final
