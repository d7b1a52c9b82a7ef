{#-
  Rows of `relation` (events, tasks, approvals, surveys) with request_id pointing at the request that survives
  unification, so what happened at every door counts for the one request.
-#}
{% macro with_unified_request(relation) -%}
    select c.* replace (coalesce(d.root_id, c.request_id) as request_id)
    from {{ relation }} as c
    left join {{ ref('int_requests__door_links') }} as d on c.request_id = d.member_id
{%- endmacro %}
