with source as (
    {{ latest_version(source('esm_export', 'surveys'), 'survey_id', parent_key='request_id') }}
),

renamed as (
    select
        _source_system || ':' || survey_id as survey_id,
        _source_system || ':' || request_id as request_id,
        _source_system as source_system,
        cast(csat_score as integer) as csat_score,
        cast(nps_score as integer) as nps_score,
        cast(answered_at as timestamp) as answered_at
    from source
)

select * from renamed
