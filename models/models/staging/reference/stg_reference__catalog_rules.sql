select
    cast(rule_order as integer) as rule_order,
    source_system,
    field as match_field,
    match_type,
    lower(pattern) as pattern_lower,
    pattern,
    service_id
from {{ source('reference', 'catalog_rules') }}
