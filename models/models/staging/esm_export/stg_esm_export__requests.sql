-- a table, not a view: several models and tests read it, and a view would redo the latest-version window each time
{{ config(materialized='table') }}

with source as (
    {{ latest_version(source('esm_export', 'requests'), 'request_id', 'updated_at desc, _loaded_at desc') }}
),

renamed as (
    select
        _source_system || ':' || request_id as request_id,
        _source_system as source_system,
        request_id as source_request_id,
        requester_id,
        service_id,
        channel,
        priority,
        cast(urgency as integer) as urgency,
        cast(impact as integer) as impact,
        status,
        resolution_code,
        assigned_group,
        agent_id,
        timezone as source_timezone,
        source_category,
        source_subcategory,
        subject,
        cast(source_sla_met as boolean) as source_sla_met,
        {{ to_utc('opened_at', 'timezone') }} as opened_at,
        {{ to_utc('first_response_at', 'timezone') }} as first_response_at,
        {{ to_utc('resolved_at', 'timezone') }} as resolved_at,
        {{ to_utc('closed_at', 'timezone') }} as closed_at,
        {{ to_utc('updated_at', 'timezone') }} as updated_at,
        cast(opened_at as timestamp) as opened_at_local,
        cast(resolved_at as timestamp) as resolved_at_local,
        _load_id as load_id
    from source
)

select * from renamed
