-- The three-level service catalog: domain (department) > category > service item.
select
    service_id,
    source_system,
    domain_id,
    domain_name_en,
    domain_name_zh,
    category_id,
    category_name_en,
    category_name_zh,
    service_name_en,
    service_name_zh,
    process_type,
    is_other
from {{ ref('int_services__unioned') }}
