-- Every SLA target measured: business (or calendar) time elapsed net of pauses, due time, state,
-- escalation level reached, and which team held the clock when it ran out.
with targets as (
    select * from {{ ref('int_sla__targets') }}
),

as_of as (
    select as_of_at from {{ ref('int_sla__as_of') }}
),

pauses as (
    select * from {{ ref('int_request_events__pauses') }}
),

measured as (
    select t.*, coalesce(t.stopped_at, a.as_of_at) as clock_end_at, a.as_of_at
    from targets as t
    cross join as_of as a
),

paused_segments as (
    select
        m.sla_id,
        m.clock_calendar_id,
        p.pause_id,
        greatest(p.started_at, m.started_at) as pause_start_at,
        least(coalesce(p.ended_at, m.as_of_at), m.clock_end_at) as pause_end_at
    from measured as m
    inner join pauses as p on m.request_id = p.request_id
    where m.is_pausable
        and p.started_at < m.clock_end_at
        and coalesce(p.ended_at, m.as_of_at) > m.started_at
),

points as (
    select sla_id || '|s' as point_id, clock_calendar_id as calendar_id, started_at as ts from measured
    union all
    select sla_id || '|e', clock_calendar_id, clock_end_at from measured
    union all
    select sla_id || '|' || pause_id || '|ps', clock_calendar_id, pause_start_at from paused_segments
    union all
    select sla_id || '|' || pause_id || '|pe', clock_calendar_id, pause_end_at from paused_segments
),

cum as (
    {{ business_cum('points') }}
),

paused as (
    select
        ps.sla_id,
        sum(e.cum_seconds - s.cum_seconds) as paused_seconds
    from paused_segments as ps
    inner join cum as s on s.point_id = ps.sla_id || '|' || ps.pause_id || '|ps'
    inner join cum as e on e.point_id = ps.sla_id || '|' || ps.pause_id || '|pe'
    group by ps.sla_id
),

elapsed as (
    select
        m.*,
        s.cum_seconds as start_cum_seconds,
        e.cum_seconds - s.cum_seconds - coalesce(pz.paused_seconds, 0) as elapsed_seconds,
        coalesce(pz.paused_seconds, 0) as paused_seconds,
        m.target_minutes * 60 as target_seconds
    from measured as m
    inner join cum as s on s.point_id = m.sla_id || '|s'
    inner join cum as e on e.point_id = m.sla_id || '|e'
    left join paused as pz on m.sla_id = pz.sla_id
),

due_points as (
    select
        sla_id as point_id,
        clock_calendar_id as calendar_id,
        start_cum_seconds + target_seconds + paused_seconds as cum_seconds
    from elapsed
),

due as (
    {{ business_instant('due_points') }}
),

assignments as (
    select request_id, occurred_at, to_value as assigned_group
    from {{ ref('stg_esm_export__request_events') }}
    where event_type = 'assignment_change'
),

stated as (
    select
        el.*,
        d.instant_at as due_at,
        case
            when el.elapsed_seconds > el.target_seconds then 'breached'
            when el.stopped_at is not null then 'met'
            else 'in_progress'
        end as sla_state
    from elapsed as el
    left join due as d on el.sla_id = d.point_id
),

breach_holders as (
    select s.sla_id, a.assigned_group
    from (select * from stated where sla_state = 'breached' and subject_type = 'request') as s
    asof left join assignments as a on s.request_id = a.request_id and s.due_at >= a.occurred_at
),

levels as (
    select * from {{ ref('stg_reference__sla_escalation_levels') }}
),

settings as (
    select near_breach_share from {{ ref('stg_reference__sla_settings') }}
),

final as (
    select
        s.sla_id,
        s.subject_type,
        s.subject_id,
        s.request_id,
        s.target_type,
        s.policy_id,
        s.clock_type,
        s.clock_calendar_id,
        s.target_minutes,
        s.started_at,
        s.stopped_at,
        s.due_at,
        case when s.sla_state = 'breached' then s.due_at end as breached_at,
        s.sla_state,
        s.elapsed_seconds / 60.0 as elapsed_minutes,
        s.paused_seconds / 60.0 as paused_minutes,
        s.elapsed_seconds / nullif(s.target_seconds, 0) as target_share_used,
        s.elapsed_seconds >= (select near_breach_share from settings) * s.target_seconds as has_reached_near_breach,
        coalesce((
            select max(l.escalation_level) from levels as l
            where s.elapsed_seconds >= l.target_share * s.target_seconds
        ), 0) as escalation_level,
        case
            when s.sla_state != 'breached' then null
            when s.subject_type = 'task' then s.task_group
            else bh.assigned_group
        end as breach_holder_group,
        s.as_of_at
    from stated as s
    left join breach_holders as bh on s.sla_id = bh.sla_id
)

select * from final
