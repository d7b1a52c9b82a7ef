with source as (
    {{ latest_version(source('esm_export', 'automation_runs'), 'run_id') }}
),

renamed as (
    select
        _source_system || ':' || run_id as run_id,
        _source_system || ':' || task_id as task_id,
        _source_system as source_system,
        bot_id,
        outcome,
        cast(started_at as timestamp) as started_at,
        cast(finished_at as timestamp) as finished_at
    from source
)

select * from renamed
