-- a table, not a view: several models and tests read it, and a view would redo the latest-version window each time
{{ config(materialized='table') }}

with source as (
    {{ latest_version(source('esm_export', 'request_events'), 'event_id', parent_key='request_id') }}
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
