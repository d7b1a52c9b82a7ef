-- One request seen through several doors is one request. A request that links to another (an email quoting
-- INC0012345, a chat that became a Jira ticket) is absorbed by the request it links to, following chains of
-- links to the end; the surviving request keeps the earliest opening, the earliest response and the channel
-- of first contact. Absorbed requests leave the marts; links to requests never received are ignored.
-- Where a source records no first response, the first public comment by someone else is the response.
with received as (
    select * from {{ ref('stg_esm_export__requests') }}
),

replies as (
    -- a source that records no first response (mail, chat): the first public comment by someone else
    select e.request_id, min(e.occurred_at) as first_reply_at
    from {{ ref('stg_esm_export__request_events') }} as e
    inner join received as r on e.request_id = r.request_id
    where e.event_type = 'comment' and e.is_public and e.actor_id is distinct from r.requester_id
        and r.first_response_at is null
    group by e.request_id
),

requests as (
    select r.* replace (coalesce(r.first_response_at, p.first_reply_at) as first_response_at)
    from received as r
    left join replies as p on r.request_id = p.request_id
),

roots as (
    select member_id, root_id from {{ ref('int_requests__door_links') }}
),

groups as (
    select member_id as request_id, root_id from roots
    union all
    select distinct root_id, root_id from roots
),

group_firsts as (
    select
        g.root_id,
        count(*) as door_count,
        min(r.opened_at) as first_opened_at,
        min(r.first_response_at) as first_response_at,
        arg_min(r.channel, r.opened_at) as first_channel,
        arg_min(r.source_system, r.opened_at) as first_source_system,
        arg_min(r.opened_at_local, r.opened_at) as first_opened_at_local
    from groups as g
    inner join requests as r on g.request_id = r.request_id
    group by g.root_id
),

final as (
    select
        r.* replace (
            coalesce(f.first_opened_at, r.opened_at) as opened_at,
            coalesce(f.first_opened_at_local, r.opened_at_local) as opened_at_local,
            coalesce(f.first_channel, r.channel) as channel,
            coalesce(f.first_response_at, r.first_response_at) as first_response_at
        ),
        coalesce(f.door_count, 1) as door_count,
        coalesce(f.first_source_system, r.source_system) as first_contact_source_system
    from requests as r
    left join group_firsts as f on r.request_id = f.root_id
    where r.request_id not in (select member_id from roots)
)

select * from final
