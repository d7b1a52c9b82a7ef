-- Per request: reassignments, reopens, departments revisited, requester follow-ups.
with events as (
    select * from {{ ref('stg_esm_export__request_events') }}
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

status_summary as (
    select
        e.request_id,
        count(*) filter (where e.event_type = 'status_change' and e.to_value = 'reopened') as reopen_count,
        count(*) filter (where e.event_type = 'comment' and e.is_public and e.actor_id = r.requester_id)
            as requester_followup_count
    from events as e
    inner join requests as r on e.request_id = r.request_id
    group by e.request_id
),

final as (
    select
        s.request_id,
        coalesce(a.reassignment_count, 0) as reassignment_count,
        coalesce(a.department_visit_count > a.department_count, false) as has_department_return,
        s.reopen_count,
        s.requester_followup_count
    from status_summary as s
    left join assignment_summary as a on s.request_id = a.request_id
)

select * from final
