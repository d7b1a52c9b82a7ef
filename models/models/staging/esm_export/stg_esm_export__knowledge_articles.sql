with source as (
    select * from {{ source('esm_export', 'knowledge_articles') }}
    {{ latest_version('article_id') }}
),

renamed as (
    select
        _source_system || ':' || article_id as article_id,
        _source_system as source_system,
        service_id,
        title_en,
        title_zh
    from source
)

select * from renamed
