with source as (
    {{ latest_version(source('esm_export', 'approvals'), 'approval_id', parent_key='request_id') }}
),

renamed as (
    select
        _source_system || ':' || approval_id as approval_id,
        _source_system || ':' || request_id as request_id,
        _source_system as source_system,
        step as approval_step,
        cast(level as integer) as approval_level,
        approver_id,
        decision,
        cast(amount as double) as amount,
        cast(requested_at as timestamp) as requested_at,
        cast(decided_at as timestamp) as decided_at
    from source
)

select * from renamed
