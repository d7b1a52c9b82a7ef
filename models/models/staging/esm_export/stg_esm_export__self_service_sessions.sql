with source as (
    {{ latest_version(source('esm_export', 'self_service_sessions'), 'session_id') }}
),

renamed as (
    select
        _source_system || ':' || session_id as session_id,
        _source_system || ':' || article_id as article_id,
        _source_system as source_system,
        requester_id,
        service_id,
        channel,
        cast(viewed_at as timestamp) as viewed_at
    from source
)

select * from renamed
