select
    policy_id,
    cast(sequence as integer) as policy_sequence,
    subject_type,
    target_type,
    cast(target_minutes as double) as target_minutes,
    clock_type,
    match_priority,
    match_domain,
    match_service_id,
    match_site_id,
    match_requester_role,
    match_step,
    match_department,
    cast(effective_from as date) as effective_from,
    cast(effective_to as date) as effective_to
from {{ source('reference', 'sla_policies') }}
