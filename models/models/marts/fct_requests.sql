-- One row per request in the canonical service language, with times, SLA outcome and rework flags.
with requests as (
    select * from {{ ref('int_requests__enriched') }}
),

business_times as (
    select * from {{ ref('int_requests__business_times') }}
),

event_summary as (
    select * from {{ ref('int_request_events__summarised') }}
),

tasks as (
    select
        request_id,
        count(*) as task_count,
        count(*) filter (where is_automated) as automated_task_count,
        sum(effort_minutes) as agent_effort_minutes,
        sum(effort_cost) as agent_cost
    from {{ ref('int_tasks__costed') }}
    group by request_id
),

approvals as (
    select * from {{ ref('int_approvals__by_request') }}
),

response_sla as (
    select * from {{ ref('fct_sla') }} where subject_type = 'request' and target_type = 'response'
),

resolution_sla as (
    select * from {{ ref('fct_sla') }} where subject_type = 'request' and target_type = 'resolution'
),

timed as (
    select
        r.*,
        {{ seconds_between('r.opened_at', 'r.resolved_at') }} / 60.0 as lead_time_minutes,
        {{ seconds_between('r.opened_at', 'r.first_response_at') }} / 60.0 as first_response_minutes,
        b.resolution_business_seconds / 60.0 as lead_time_business_minutes,
        b.first_response_business_seconds / 60.0 as first_response_business_minutes,
        b.paused_seconds / 60.0 as paused_minutes,
        b.paused_business_seconds / 60.0 as paused_business_minutes,
        coalesce(e.reassignment_count, 0) as reassignment_count,
        coalesce(e.reopen_count, 0) as reopen_count,
        coalesce(e.has_department_return, false) as has_department_return,
        coalesce(e.requester_followup_count, 0) > 0 as has_requester_followup,
        coalesce(r.source_sla_met, e.source_sla_met) as source_sla_met_any,
        coalesce(t.task_count, 0) as task_count,
        coalesce(t.automated_task_count, 0) as automated_task_count,
        coalesce(t.agent_effort_minutes, 0) as agent_effort_minutes,
        coalesce(t.agent_cost, 0) as agent_cost,
        coalesce(a.approval_count, 0) as approval_count,
        a.is_rejected as is_approval_rejected,
        a.is_approved_before_fulfilment,
        rs.policy_id as sla_policy_id,
        rs.clock_type,
        rs.target_minutes as resolution_target_minutes,
        rs.elapsed_minutes as sla_elapsed_minutes,
        rs.sla_state as resolution_sla_state,
        rs.due_at as resolution_due_at,
        ps.target_minutes as response_target_minutes,
        ps.sla_state as response_sla_state
    from requests as r
    left join business_times as b on r.request_id = b.request_id
    left join event_summary as e on r.request_id = e.request_id
    left join tasks as t on r.request_id = t.request_id
    left join approvals as a on r.request_id = a.request_id
    left join resolution_sla as rs on r.request_id = rs.request_id
    left join response_sla as ps on r.request_id = ps.request_id
),

final as (
    select
        request_id,
        source_system,
        source_request_id,
        requester_id,
        requester_department,
        site_id,
        requester_role,
        service_id,
        service_mapping,
        source_category,
        source_subcategory,
        domain_id,
        domain_name_en,
        domain_name_zh,
        category_id,
        category_name_en,
        category_name_zh,
        service_name_en,
        service_name_zh,
        process_type,
        channel,
        priority,
        urgency,
        impact,
        status,
        resolution_code,
        assigned_group,
        agent_id,
        calendar_id,
        source_timezone,
        opened_at,
        first_response_at,
        resolved_at,
        closed_at,
        cast(date_trunc('month', opened_at_local) as date) as opened_month,
        cast(date_trunc('month', resolved_at_local) as date) as resolved_month,
        lead_time_minutes,
        lead_time_business_minutes,
        first_response_minutes,
        first_response_business_minutes,
        paused_minutes,
        paused_business_minutes,
        sla_policy_id,
        clock_type as sla_clock_type,
        response_target_minutes,
        resolution_target_minutes,
        resolution_due_at,
        sla_elapsed_minutes,
        resolution_sla_state,
        response_sla_state,
        case resolution_sla_state when 'met' then true when 'breached' then false end as sla_met,
        case response_sla_state when 'met' then true when 'breached' then false end as response_sla_met,
        source_sla_met_any as source_sla_met,
        door_count,
        first_contact_source_system,
        reassignment_count,
        reopen_count,
        reopen_count > 0 as is_reopened,
        has_department_return,
        has_department_return or reopen_count > 0 as is_cross_department_rework,
        has_requester_followup,
        resolved_at is not null and reassignment_count = 0 and not has_requester_followup and reopen_count = 0
            as is_first_contact_resolution,
        task_count,
        automated_task_count,
        task_count > 0 and automated_task_count = task_count as is_fully_automated,
        agent_effort_minutes,
        agent_cost,
        approval_count,
        coalesce(is_approval_rejected, false) as is_approval_rejected,
        is_approved_before_fulfilment
    from timed
)

select * from final
