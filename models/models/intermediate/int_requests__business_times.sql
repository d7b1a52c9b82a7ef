-- Business seconds (site calendar) from opened to first response and to resolution, and paused time.
with requests as (
    select request_id, calendar_id, opened_at, first_response_at, resolved_at
    from {{ ref('int_requests__enriched') }}
),

pauses as (
    select * from {{ ref('int_request_events__pauses') }}
),

opened_cum as (
    {{ with_business_cum('requests', 'opened_at', 'calendar_id', 'opened_cum') }}
),

response_cum as (
    {{ with_business_cum('opened_cum', 'first_response_at', 'calendar_id', 'response_cum') }}
),

resolved_cum as (
    {{ with_business_cum('response_cum', 'resolved_at', 'calendar_id', 'resolved_cum') }}
),

pause_start_cum as (
    {{ with_business_cum('pauses', 'started_at', 'calendar_id', 'start_cum') }}
),

pause_cum as (
    {{ with_business_cum('pause_start_cum', 'ended_at', 'calendar_id', 'end_cum') }}
),

paused as (
    select
        request_id,
        sum({{ seconds_between('started_at', 'ended_at') }}) as paused_seconds,
        sum(end_cum - start_cum) as paused_business_seconds
    from pause_cum
    where ended_at is not null
    group by request_id
),

final as (
    select
        r.request_id,
        r.response_cum - r.opened_cum as first_response_business_seconds,
        r.resolved_cum - r.opened_cum as resolution_business_seconds,
        coalesce(pz.paused_seconds, 0) as paused_seconds,
        coalesce(pz.paused_business_seconds, 0) as paused_business_seconds
    from resolved_cum as r
    left join paused as pz on r.request_id = pz.request_id
)

select * from final
