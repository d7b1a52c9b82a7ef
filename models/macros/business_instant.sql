{#-
  The inverse of with_business_cum: the instant at which a calendar's running total of business seconds reaches
  `cum`. `points` has (point_id, calendar_id, cum_seconds); returns (point_id, at). The earliest such instant
  is taken, so a total reached exactly at the end of a working interval gives that end, not the next start.
-#}
{% macro business_instant(points) -%}
    {{ return(adapter.dispatch('business_instant')(points)) }}
{%- endmacro %}

{% macro duckdb__business_instant(points) -%}
    select
        p.point_id,
        case
            when i.calendar_id is null then null
            when p.cum_seconds - i.cum_start > i.seconds then null  -- beyond the calendar's horizon
            else i.start_at + to_seconds(cast(p.cum_seconds - i.cum_start as bigint))
        end as instant_at
    from {{ points }} as p
    asof left join {{ ref('int_business_calendar__intervals') }} as i
        on p.calendar_id = i.calendar_id and p.cum_seconds > i.cum_start
{%- endmacro %}

{% macro default__business_instant(points) -%}
    select
        p.point_id,
        {{ dbt.dateadd('second', 'p.cum_seconds - i.cum_start', 'i.start_at') }} as instant_at
    from {{ points }} as p
    left join {{ ref('int_business_calendar__intervals') }} as i
        on p.calendar_id = i.calendar_id
        and p.cum_seconds > i.cum_start and p.cum_seconds <= i.cum_start + i.seconds
{%- endmacro %}
