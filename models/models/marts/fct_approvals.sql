-- One row per approval step, with how long the approver took and the request's context.
with approvals as (
    {{ with_unified_request(ref('stg_esm_export__approvals')) }}
),

requests as (
    select request_id, service_id, domain_id, process_type, site_id, requester_role, resolved_at
    from {{ ref('int_requests__enriched') }}
),

final as (
    select
        a.approval_id,
        a.request_id,
        r.service_id,
        r.domain_id,
        r.process_type,
        r.site_id,
        r.requester_role,
        a.approval_step,
        a.approval_level,
        a.approver_id,
        a.decision,
        a.amount,
        a.requested_at,
        a.decided_at,
        {{ seconds_between('a.requested_at', 'a.decided_at') }} / 60.0 as decision_minutes,
        a.decided_at > r.resolved_at as is_decided_after_fulfilment
    from approvals as a
    inner join requests as r on a.request_id = r.request_id
)

select * from final
