with source as (
    {{ latest_version(source('esm_export', 'access_violations'), 'violation_id') }}
),

renamed as (
    select
        _source_system || ':' || violation_id as violation_id,
        _source_system || ':' || grant_id as grant_id,
        _source_system as source_system,
        requester_id,
        system as target_system,
        violation_type,
        cast(occurred_at as timestamp) as occurred_at
    from source
)

select * from renamed
