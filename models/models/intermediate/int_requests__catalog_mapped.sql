-- The catalog item of every request and how it was found: 'source' (the source's own catalog),
-- 'catalog' (a shared item named by the source), 'rule' (first matching mapping rule) or 'other'.
with requests as (
    select request_id, source_system, service_id, source_category, source_subcategory, subject, channel,
        assigned_group, priority
    from {{ ref('stg_esm_export__requests') }}
),

services as (
    select * from {{ ref('int_services__unioned') }}
),

named as (
    select
        r.*,
        case
            when exists (
                select 1 from services as s
                where s.service_id = r.service_id and s.source_system = r.source_system
            ) then 'source'
            when exists (
                select 1 from services as s
                where s.service_id = r.service_id and s.source_system is null and not s.is_other
            ) then 'catalog'
        end as named_by
    from requests as r
),

rules as (
    select * from {{ ref('stg_reference__catalog_rules') }}
),

rule_hits as (
    select
        n.request_id,
        r.service_id,
        row_number() over (partition by n.request_id order by r.rule_order) as hit_order
    from named as n
    inner join rules as r
        on (r.source_system is null or r.source_system = n.source_system)
    where n.named_by is null
        and {{ catalog_rule_matches('r', 'n') }}
),

other as (
    select service_id from {{ ref('stg_reference__catalog_items') }} where is_other
),

final as (
    select
        n.request_id,
        case
            when n.named_by is not null then n.service_id
            when h.service_id is not null then h.service_id
            else (select service_id from other)
        end as service_id,
        case
            when n.named_by is not null then n.named_by
            when h.service_id is not null then 'rule'
            else 'other'
        end as service_mapping
    from named as n
    left join rule_hits as h on n.request_id = h.request_id and h.hit_order = 1
)

select * from final
