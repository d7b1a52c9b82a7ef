-- a table, not a view: several models and tests read it, and a view would redo the latest-version window each time
{{ config(materialized='table') }}

with source as (
    {{ latest_version(source('esm_export', 'tasks'), 'task_id', parent_key='request_id') }}
),

renamed as (
    select
        _source_system || ':' || task_id as task_id,
        _source_system || ':' || request_id as request_id,
        _source_system || ':' || depends_on_task_id as depends_on_task_id,
        _source_system as source_system,
        step,
        department,
        assigned_group,
        agent_id,
        cast(seq as integer) as sequence_number,
        status,
        cast(is_automated as boolean) as is_automated,
        cast(effort_minutes as double) as effort_minutes,
        cast(created_at as timestamp) as created_at,
        cast(completed_at as timestamp) as completed_at
    from source
)

select * from renamed
