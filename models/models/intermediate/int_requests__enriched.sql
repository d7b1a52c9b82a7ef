-- Requests (one per request however many doors it came through) with their catalog levels, requester and
-- site calendar.
with requests as (
    select * from {{ ref('int_requests__unified') }}
),

mapped as (
    select * from {{ ref('int_requests__catalog_mapped') }}
),

services as (
    select * from {{ ref('int_services__unioned') }}
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
        m.service_id,
        m.service_mapping,
        r.source_category,
        r.source_subcategory,
        r.source_sla_met,
        r.door_count,
        r.first_contact_source_system,
        coalesce(own.domain_id, shared.domain_id) as domain_id,
        coalesce(own.domain_name_en, shared.domain_name_en) as domain_name_en,
        coalesce(own.domain_name_zh, shared.domain_name_zh) as domain_name_zh,
        coalesce(own.category_id, shared.category_id) as category_id,
        coalesce(own.category_name_en, shared.category_name_en) as category_name_en,
        coalesce(own.category_name_zh, shared.category_name_zh) as category_name_zh,
        coalesce(own.service_name_en, shared.service_name_en) as service_name_en,
        coalesce(own.service_name_zh, shared.service_name_zh) as service_name_zh,
        coalesce(own.process_type, shared.process_type) as process_type,
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
    inner join mapped as m on r.request_id = m.request_id
    left join services as own on m.service_id = own.service_id and r.source_system = own.source_system
    left join services as shared on m.service_id = shared.service_id and shared.source_system is null
    left join requesters as q on r.requester_id = q.requester_id and r.source_system = q.source_system
    left join sites as site on q.requester_site_id = site.site_id and q.source_system = site.source_system
)

select * from final
