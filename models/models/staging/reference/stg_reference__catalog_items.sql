select
    service_id,
    department as domain_id,
    department_name_en as domain_name_en,
    department_name_zh as domain_name_zh,
    department || ' / ' || category_en as category_id,
    category_en as category_name_en,
    category_zh as category_name_zh,
    name_en as service_name_en,
    name_zh as service_name_zh,
    process as process_type,
    cast(is_other as boolean) as is_other
from {{ source('reference', 'catalog_items') }}
