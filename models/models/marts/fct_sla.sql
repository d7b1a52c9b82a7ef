-- One row per request x SLA target (response, resolution) and per task x OLA: the SLA engine's output.
select * from {{ ref('int_sla__evaluated') }}
