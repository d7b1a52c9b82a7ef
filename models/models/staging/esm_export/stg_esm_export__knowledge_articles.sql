with source as (
    {{ latest_version(source('esm_export', 'knowledge_articles'), 'article_id') }}
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
