-- One row per task, with the request's site and service, for bottleneck and automation analysis.
with tasks as (
    select * from {{ ref('int_tasks__costed') }}
),

requests as (
    select request_id, site_id, service_id, domain_id, process_type, opened_at
    from {{ ref('int_requests__enriched') }}
),

final as (
    select
        t.task_id,
        t.request_id,
        t.depends_on_task_id,
        r.service_id,
        r.domain_id as request_domain_id,
        r.process_type,
        r.site_id,
        t.step,
        t.department,
        t.assigned_group,
        t.agent_id,
        t.sequence_number,
        t.status,
        t.is_automated,
        t.created_at,
        t.completed_at,
        cast(date_trunc('month', t.completed_at) as date) as completed_month,
        t.duration_hours,
        t.effort_minutes,
        t.effort_cost
    from tasks as t
    inner join requests as r on t.request_id = r.request_id
)

select * from final
