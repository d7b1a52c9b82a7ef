-- Tasks with the effort cost of the agent who did them.
with tasks as (
    {{ with_unified_request(ref('stg_esm_export__tasks')) }}
),

agents as (
    select * from {{ ref('stg_esm_export__agents') }}
),

final as (
    select
        t.task_id,
        t.request_id,
        t.depends_on_task_id,
        t.step,
        t.department,
        t.assigned_group,
        t.agent_id,
        a.agent_site_id,
        t.sequence_number,
        t.status,
        t.is_automated,
        t.created_at,
        t.completed_at,
        {{ seconds_between('t.created_at', 't.completed_at') }} / 3600.0 as duration_hours,
        coalesce(t.effort_minutes, 0) as effort_minutes,
        coalesce(t.effort_minutes, 0) / 60.0 * coalesce(a.cost_per_hour, 0) as effort_cost
    from tasks as t
    left join agents as a on t.agent_id = a.agent_id and t.source_system = a.source_system
)

select * from final
