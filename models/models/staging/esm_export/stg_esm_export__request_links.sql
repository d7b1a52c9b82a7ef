with source as (
    {{ latest_version(source('esm_export', 'request_links'), 'link_id', parent_key='request_id') }}
),

renamed as (
    select
        _source_system || ':' || link_id as link_id,
        _source_system || ':' || request_id as request_id,
        linked_source_system || ':' || linked_request_id as linked_request_id,
        link_type,
        cast(linked_at as timestamp) as linked_at
    from source
)

select * from renamed
