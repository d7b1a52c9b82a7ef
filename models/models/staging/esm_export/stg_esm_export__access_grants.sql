with source as (
    {{ latest_version(source('esm_export', 'access_grants'), 'grant_id') }}
),

renamed as (
    select
        _source_system || ':' || grant_id as grant_id,
        _source_system || ':' || request_id as request_id,
        _source_system as source_system,
        requester_id,
        system as target_system,
        cast(is_approved as boolean) as is_approved,
        cast(granted_at as timestamp) as granted_at,
        cast(expires_at as timestamp) as expires_at,
        cast(revoked_at as timestamp) as revoked_at
    from source
)

select * from renamed
