with source as (
    {{ latest_version(source('esm_export', 'service_catalog'), 'service_id') }}
),

renamed as (
    select
        service_id,
        _source_system as source_system,
        department as domain_id,
        department_name_en as domain_name_en,
        department_name_zh as domain_name_zh,
        department || ' / ' || category_en as category_id,
        category_en as category_name_en,
        category_zh as category_name_zh,
        name_en as service_name_en,
        name_zh as service_name_zh,
        process as process_type
    from source
)

select * from renamed
