{#-
  `relation` plus a column `as_name`: the business seconds from the calendar's origin up to the timestamp in
  column `ts`, on the calendar in column `calendar` (null where `ts` is null):
  cum(t) = cum_start + clamp(t - start, 0, seconds) of the last working interval starting at or before t.
  Business time between a and b is cum(b) - cum(a): one ASOF join per timestamp column.
-#}
{% macro with_business_cum(relation, ts, calendar, as_name) -%}
    {{ return(adapter.dispatch('with_business_cum')(relation, ts, calendar, as_name)) }}
{%- endmacro %}

{% macro duckdb__with_business_cum(relation, ts, calendar, as_name) -%}
    select
        r.*,
        case when r.{{ ts }} is not null then
            coalesce(i.cum_start + least(greatest(datediff('second', i.start_at, r.{{ ts }}), 0), i.seconds), 0)
        end as {{ as_name }}
    from {{ relation }} as r
    asof left join {{ ref('int_business_calendar__intervals') }} as i
        on r.{{ calendar }} = i.calendar_id and r.{{ ts }} >= i.start_at
{%- endmacro %}

{% macro default__with_business_cum(relation, ts, calendar, as_name) -%}
    select
        r.*,
        case when r.{{ ts }} is not null then
            coalesce(i.cum_start + least(greatest({{ seconds_between('i.start_at', 'r.' ~ ts) }}, 0), i.seconds), 0)
        end as {{ as_name }}
    from {{ relation }} as r
    left join {{ ref('int_business_calendar__intervals') }} as i
        on r.{{ calendar }} = i.calendar_id and r.{{ ts }} >= i.start_at and r.{{ ts }} < i.next_start_at
{%- endmacro %}
