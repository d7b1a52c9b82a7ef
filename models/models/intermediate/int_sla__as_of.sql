-- The instant the data runs to: open SLA clocks are measured up to here (override with var sla_as_of).
{% if var('sla_as_of', none) %}
select cast('{{ var("sla_as_of") }}' as timestamp) as as_of_at
{% else %}
with stamps as (
    select max(greatest(opened_at, coalesce(first_response_at, opened_at), coalesce(resolved_at, opened_at),
                        coalesce(closed_at, opened_at))) as stamp_at
    from {{ ref('stg_esm_export__requests') }}
    union all
    select max(occurred_at) from {{ ref('stg_esm_export__request_events') }}
)

select max(stamp_at) as as_of_at from stamps
{% endif %}
