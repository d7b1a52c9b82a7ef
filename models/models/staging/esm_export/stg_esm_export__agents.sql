with source as (
    {{ latest_version(source('esm_export', 'agents'), 'agent_id') }}
),

renamed as (
    select
        agent_id,
        _source_system as source_system,
        department as agent_department,
        site_id as agent_site_id,
        assigned_group,
        cast(cost_per_hour as double) as cost_per_hour
    from source
)

select * from renamed
