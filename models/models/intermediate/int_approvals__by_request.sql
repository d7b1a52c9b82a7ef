-- Per request with approvals: how many, whether all were granted, and before fulfilment ended.
with approvals as (
    {{ with_unified_request(ref('stg_esm_export__approvals')) }}
),

requests as (
    select request_id, resolved_at from {{ ref('stg_esm_export__requests') }}
),

final as (
    select
        a.request_id,
        count(*) as approval_count,
        max(a.approval_level) as max_approval_level,
        bool_or(a.decision = 'rejected') as is_rejected,
        bool_and(a.decision = 'approved' and a.decided_at <= r.resolved_at) as is_approved_before_fulfilment
    from approvals as a
    inner join requests as r on a.request_id = r.request_id
    group by a.request_id
)

select * from final
