-- Every SLA target measured: business (or calendar) time elapsed net of pauses, due time, state,
-- escalation level reached, and which team held the clock when it ran out.
-- Ephemeral: fct_sla is its one materialization. The ASOF lookups run on narrow (key, calendar, instant)
-- rows and join back on an integer key: sorting wide rows was most of the cost.
{{ config(materialized='ephemeral') }}

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
    select
        t.*,
        coalesce(t.stopped_at, a.as_of_at) as clock_end_at,
        a.as_of_at,
        row_number() over () as sla_key
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

pause_start_cum as (
    {{ with_business_cum('paused_segments', 'pause_start_at', 'clock_calendar_id', 'start_cum') }}
),

pause_cum as (
    {{ with_business_cum('pause_start_cum', 'pause_end_at', 'clock_calendar_id', 'end_cum') }}
),

paused as (
    select sla_id, sum(end_cum - start_cum) as paused_seconds
    from pause_cum
    group by sla_id
),

starts as (
    select sla_key, clock_calendar_id, started_at from measured
),

ends as (
    select sla_key, clock_calendar_id, clock_end_at from measured
),

start_cum as (
    {{ with_business_cum('starts', 'started_at', 'clock_calendar_id', 'start_cum_seconds') }}
),

end_cum as (
    {{ with_business_cum('ends', 'clock_end_at', 'clock_calendar_id', 'end_cum_seconds') }}
),

elapsed as (
    select
        m.*,
        s.start_cum_seconds,
        e.end_cum_seconds - s.start_cum_seconds - coalesce(pz.paused_seconds, 0) as elapsed_seconds,
        coalesce(pz.paused_seconds, 0) as paused_seconds,
        m.target_minutes * 60 as target_seconds
    from measured as m
    inner join start_cum as s on m.sla_key = s.sla_key
    inner join end_cum as e on m.sla_key = e.sla_key
    left join paused as pz on m.sla_id = pz.sla_id
),

due_points as (
    select
        sla_key as point_id,
        clock_calendar_id as calendar_id,
        start_cum_seconds + target_seconds + paused_seconds as cum_seconds
    from elapsed
),

due as (
    {{ business_instant('due_points') }}
),

assignments as (
    select request_id, occurred_at, to_value as assigned_group
    from ({{ with_unified_request(ref('stg_esm_export__request_events')) }})
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
    left join due as d on el.sla_key = d.point_id
),

breach_holders as (
    select s.sla_key, a.assigned_group
    from (
        select sla_key, request_id, due_at from stated where sla_state = 'breached' and subject_type = 'request'
    ) as s
    asof left join assignments as a on s.request_id = a.request_id and s.due_at >= a.occurred_at
),

levels as (
    select * from {{ ref('stg_reference__sla_escalation_levels') }}
),

settings as (
    select near_breach_share from {{ ref('stg_reference__sla_settings') }}
),

escalations as (
    -- only targets past the first level's share can have reached a level
    select s.sla_id, max(l.escalation_level) as escalation_level
    from stated as s
    inner join levels as l on s.elapsed_seconds >= l.target_share * s.target_seconds
    where s.elapsed_seconds >= (select min(target_share) from levels) * s.target_seconds
    group by s.sla_id
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
        s.elapsed_seconds >= st.near_breach_share * s.target_seconds as has_reached_near_breach,
        coalesce(esc.escalation_level, 0) as escalation_level,
        case
            when s.sla_state != 'breached' then null
            when s.subject_type = 'task' then s.task_group
            else bh.assigned_group
        end as breach_holder_group,
        s.as_of_at
    from stated as s
    cross join settings as st
    left join breach_holders as bh on s.sla_key = bh.sla_key
    left join escalations as esc on s.sla_id = esc.sla_id
)

select * from final
