-- Business seconds (site calendar) from opened to first response and to resolution, and paused time.
with requests as (
    select * from {{ ref('int_requests__enriched') }}
),

pauses as (
    select * from {{ ref('int_request_events__pauses') }}
),

points as (
    select request_id || '|o' as point_id, calendar_id, opened_at as ts from requests
    union all
    select request_id || '|f', calendar_id, first_response_at from requests where first_response_at is not null
    union all
    select request_id || '|r', calendar_id, resolved_at from requests where resolved_at is not null
    union all
    select pause_id || '|ps', calendar_id, started_at from pauses
    union all
    select pause_id || '|pe', calendar_id, ended_at from pauses where ended_at is not null
),

cum as (
    {{ business_cum('points') }}
),

paused as (
    select
        p.request_id,
        sum({{ seconds_between('p.started_at', 'p.ended_at') }}) as paused_seconds,
        sum(e.cum_seconds - s.cum_seconds) as paused_business_seconds
    from pauses as p
    inner join cum as s on s.point_id = p.pause_id || '|ps'
    inner join cum as e on e.point_id = p.pause_id || '|pe'
    group by p.request_id
),

final as (
    select
        r.request_id,
        f.cum_seconds - o.cum_seconds as first_response_business_seconds,
        rs.cum_seconds - o.cum_seconds as resolution_business_seconds,
        coalesce(pz.paused_seconds, 0) as paused_seconds,
        coalesce(pz.paused_business_seconds, 0) as paused_business_seconds
    from requests as r
    inner join cum as o on o.point_id = r.request_id || '|o'
    left join cum as f on f.point_id = r.request_id || '|f'
    left join cum as rs on rs.point_id = r.request_id || '|r'
    left join paused as pz on r.request_id = pz.request_id
)

select * from final
