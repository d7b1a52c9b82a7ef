with source as (
    {{ latest_version(source('esm_export', 'sites'), 'site_id') }}
),

renamed as (
    select
        site_id,
        _source_system as source_system,
        city_en as site_name_en,
        city_zh as site_name_zh,
        country as country_code,
        timezone,
        calendar_id,
        cast(headcount as integer) as headcount
    from source
)

select * from renamed
