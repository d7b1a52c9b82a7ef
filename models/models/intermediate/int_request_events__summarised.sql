-- Per request: reassignments, reopens, departments revisited, requester follow-ups, the source's SLA outcome.
with events as (
    {{ with_unified_request(ref('stg_esm_export__request_events')) }}
),

requests as (
    select request_id, requester_id from {{ ref('stg_esm_export__requests') }}
),

assignments as (
    select
        request_id,
        occurred_at,
        split_part(to_value, '-', 1) as department,
        from_value
    from events
    where event_type = 'assignment_change'
),

department_visits as (
    select
        request_id,
        department,
        from_value,
        department is distinct from lag(department) over (
            partition by request_id order by occurred_at
        ) as is_new_visit
    from assignments
),

assignment_summary as (
    select
        request_id,
        count(from_value) as reassignment_count,
        count(*) filter (where is_new_visit) as department_visit_count,
        count(distinct department) as department_count
    from department_visits
    group by request_id
),

reopens as (
    select request_id, count(*) as reopen_count
    from events
    where event_type = 'status_change' and to_value = 'reopened'
    group by request_id
),

source_slas as (
    -- SLA outcomes a source recorded per SLA definition (ServiceNow task_sla): met only if none breached
    select request_id, not bool_or(to_value = 'breached') as source_sla_met
    from events
    where event_type = 'source_sla' and to_value in ('met', 'breached')
    group by request_id
),

followups as (
    select e.request_id, count(*) as requester_followup_count
    from events as e
    inner join requests as r on e.request_id = r.request_id and e.actor_id = r.requester_id
    where e.event_type = 'comment' and e.is_public
    group by e.request_id
),

final as (
    select
        r.request_id,
        coalesce(a.reassignment_count, 0) as reassignment_count,
        coalesce(a.department_visit_count > a.department_count, false) as has_department_return,
        coalesce(o.reopen_count, 0) as reopen_count,
        coalesce(f.requester_followup_count, 0) as requester_followup_count,
        sl.source_sla_met
    from requests as r
    left join assignment_summary as a on r.request_id = a.request_id
    left join reopens as o on r.request_id = o.request_id
    left join followups as f on r.request_id = f.request_id
    left join source_slas as sl on r.request_id = sl.request_id
)

select * from final
