-- Every catalog item a request can land on: each source's own catalog (source_system set) and the
-- shared items of config/catalog_mapping.yml (source_system null), "Other" among them.
select
    service_id, source_system, domain_id, domain_name_en, domain_name_zh, category_id, category_name_en,
    category_name_zh, service_name_en, service_name_zh, process_type, false as is_other
from {{ ref('stg_esm_export__service_catalog') }}
union all
select
    service_id, null as source_system, domain_id, domain_name_en, domain_name_zh, category_id, category_name_en,
    category_name_zh, service_name_en, service_name_zh, process_type, is_other
from {{ ref('stg_reference__catalog_items') }}
