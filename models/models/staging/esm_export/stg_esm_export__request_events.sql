with source as (
    select * from {{ source('esm_export', 'request_events') }}
    {{ latest_version('event_id') }}
),

renamed as (
    select
        _source_system || ':' || event_id as event_id,
        _source_system || ':' || request_id as request_id,
        _source_system as source_system,
        event_type,
        from_value,
        to_value,
        actor_id,
        cast(is_public as boolean) as is_public,
        cast(occurred_at as timestamp) as occurred_at
    from source
)

select * from renamed
