with source as (
    {{ latest_version(source('esm_export', 'requesters'), 'requester_id') }}
),

renamed as (
    select
        requester_id,
        _source_system as source_system,
        org_unit as requester_department,
        site_id as requester_site_id,
        role as requester_role
    from source
)

select * from renamed
