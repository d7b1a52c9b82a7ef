-- Working intervals with the running total of business seconds before each (see DESIGN notes:
-- business time between a and b = cum(b) - cum(a), one ASOF lookup per endpoint).
with intervals as (
    select * from {{ ref('stg_reference__calendar_intervals') }}
),

final as (
    select
        calendar_id,
        start_at,
        end_at,
        seconds,
        coalesce(sum(seconds) over (
            partition by calendar_id order by start_at rows between unbounded preceding and 1 preceding
        ), 0) as cum_start,
        coalesce(
            lead(start_at) over (partition by calendar_id order by start_at),
            cast('9999-12-31' as timestamp)
        ) as next_start_at
    from intervals
)

select * from final
