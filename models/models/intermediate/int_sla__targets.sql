-- Which SLA target applies: one row per request x (response, resolution) and per task x OLA.
-- The first policy in config order that matches and is in force on the day the subject was opened wins.
with requests as (
    select * from {{ ref('int_requests__enriched') }}
),

tasks as (
    select t.*, r.site_id, r.calendar_id
    from {{ ref('int_tasks__costed') }} as t
    inner join requests as r on t.request_id = r.request_id
),

policies as (
    select * from {{ ref('stg_reference__sla_policies') }}
),

request_targets as (
    select
        r.request_id || '|' || p.target_type as sla_id,
        'request' as subject_type,
        r.request_id as subject_id,
        r.request_id,
        p.target_type,
        p.policy_id,
        p.target_minutes,
        p.clock_type,
        case when p.clock_type = 'calendar' then 'always_on' else r.calendar_id end as clock_calendar_id,
        r.opened_at as started_at,
        case when p.target_type = 'response' then r.first_response_at else r.resolved_at end as stopped_at,
        p.target_type = 'resolution' as is_pausable,
        cast(null as varchar) as task_group
    from requests as r
    inner join policies as p
        on p.subject_type = 'request'
        and (p.match_priority is null or p.match_priority = r.priority)
        and (p.match_domain is null or p.match_domain = r.domain_id)
        and (p.match_service_id is null or p.match_service_id = r.service_id)
        and (p.match_site_id is null or p.match_site_id = r.site_id)
        and (p.match_requester_role is null or p.match_requester_role = r.requester_role)
        and cast(r.opened_at as date) between p.effective_from and p.effective_to
    qualify row_number() over (partition by r.request_id, p.target_type order by p.policy_sequence) = 1
),

task_targets as (
    select
        t.task_id || '|ola' as sla_id,
        'task' as subject_type,
        t.task_id as subject_id,
        t.request_id,
        p.target_type,
        p.policy_id,
        p.target_minutes,
        p.clock_type,
        case when p.clock_type = 'calendar' then 'always_on' else t.calendar_id end as clock_calendar_id,
        t.created_at as started_at,
        t.completed_at as stopped_at,
        false as is_pausable,
        t.assigned_group as task_group
    from tasks as t
    inner join policies as p
        on p.subject_type = 'task'
        and (p.match_step is null or p.match_step = t.step)
        and (p.match_department is null or p.match_department = t.department)
        and (p.match_site_id is null or p.match_site_id = t.site_id)
        and cast(t.created_at as date) between p.effective_from and p.effective_to
    qualify row_number() over (partition by t.task_id order by p.policy_sequence) = 1
)

select * from request_targets
union all
select * from task_targets
