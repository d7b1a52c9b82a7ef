-- Which request absorbs which: a request that links to another source's request (an email quoting INC0012345,
-- a chat logged as HELP-4) is absorbed by the request it links to, following chains of links to their end.
-- One row per absorbed request. Links to requests never received are ignored; in a cycle of links the
-- smallest request id survives.
with recursive requests as (
    select request_id from {{ ref('stg_esm_export__requests') }}
),

links as (
    select l.request_id as member_id, min(l.linked_request_id) as target_id
    from {{ ref('stg_esm_export__request_links') }} as l
    inner join requests as t on l.linked_request_id = t.request_id
    inner join requests as m on l.request_id = m.request_id
    where l.linked_request_id != l.request_id
    group by l.request_id
),

chains as (
    select member_id, target_id as root_id, 1 as depth from links
    union all
    select c.member_id, l.target_id, c.depth + 1
    from chains as c
    inner join links as l on c.root_id = l.member_id
    where c.depth < 10 and l.target_id != c.member_id
),

ends as (
    select member_id, root_id
    from chains
    qualify row_number() over (partition by member_id order by depth desc) = 1
),

resolved as (
    -- a chain that ends on a request that is itself absorbed is a cycle: its smallest id survives
    select
        e.member_id,
        case when c.member_id is not null then least(e.member_id, e.root_id) else e.root_id end as root_id
    from ends as e
    left join ends as c on e.root_id = c.member_id
)

select member_id, root_id from resolved where member_id != root_id
