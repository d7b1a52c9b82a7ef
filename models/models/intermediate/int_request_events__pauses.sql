-- Segments during which a request sat in a pause status (the SLA clock stops), one row per segment.
with events as (
    {{ with_unified_request(ref('stg_esm_export__request_events')) }}
    where event_type = 'status_change'
),

requests as (
    select request_id, calendar_id, resolved_at from {{ ref('int_requests__enriched') }}
),

pause_statuses as (
    select pause_status from {{ ref('stg_reference__sla_pause_statuses') }}
),

ordered as (
    select
        request_id,
        event_id,
        to_value as status,
        occurred_at as started_at,
        lead(occurred_at) over (partition by request_id order by occurred_at, event_id) as next_change_at
    from events
),

final as (
    select
        o.event_id as pause_id,
        o.request_id,
        r.calendar_id,
        o.started_at,
        coalesce(o.next_change_at, r.resolved_at) as ended_at
    from ordered as o
    inner join requests as r on o.request_id = r.request_id
    where o.status in (select pause_status from pause_statuses)
)

select * from final
