{#-
  Business seconds from a calendar's origin up to each point: cum(t) = cum_start + clamp(t - start, 0, seconds)
  of the last working interval starting at or before t. Business time between a and b is cum(b) - cum(a).
  `points` is a relation with columns (point_id, calendar_id, ts); returns (point_id, cum_seconds).
-#}
{% macro business_cum(points) -%}
    {{ return(adapter.dispatch('business_cum')(points)) }}
{%- endmacro %}

{% macro duckdb__business_cum(points) -%}
    select
        p.point_id,
        coalesce(i.cum_start + least(greatest(datediff('second', i.start_at, p.ts), 0), i.seconds), 0) as cum_seconds
    from {{ points }} as p
    asof left join {{ ref('int_business_calendar__intervals') }} as i
        on p.calendar_id = i.calendar_id and p.ts >= i.start_at
{%- endmacro %}

{% macro default__business_cum(points) -%}
    select
        p.point_id,
        coalesce(i.cum_start + least(greatest({{ seconds_between('i.start_at', 'p.ts') }}, 0), i.seconds), 0) as cum_seconds
    from {{ points }} as p
    left join {{ ref('int_business_calendar__intervals') }} as i
        on p.calendar_id = i.calendar_id and p.ts >= i.start_at and p.ts < i.next_start_at
{%- endmacro %}
