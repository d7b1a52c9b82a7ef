-- Every metric of the catalog by month: company-wide (dimension = 'all') and per breakdown.
-- Formulas are written once here and described in config/metrics.yml and DECISIONLOG.md.
{%- set request_dims = kpi_dimensions() %}

with requests as (
    select * from {{ ref('fct_requests') }}
),

surveys as (
    select
        request_id,
        avg(csat_score) as csat_score,
        count(csat_score) as csat_answers,
        count(*) filter (where csat_score >= 4) as csat_satisfied,
        count(nps_score) as nps_answers,
        count(*) filter (where nps_score >= 9) as nps_promoters,
        count(*) filter (where nps_score <= 6) as nps_detractors
    from ({{ with_unified_request(ref('stg_esm_export__surveys')) }})
    group by request_id
),

tasks as (
    select * from {{ ref('fct_tasks') }}
),

repeats as (
    -- a resolved request followed within 7 days of its resolution by another request from the same
    -- requester for the same service
    select distinct r.request_id
    from requests as r
    inner join requests as n
        on n.requester_id = r.requester_id
        and n.service_id = r.service_id
        and n.request_id != r.request_id
        and n.opened_at > r.resolved_at
        and n.opened_at <= r.resolved_at + interval '{{ var("repeat_window_days") }} days'
    where r.resolved_at is not null
),

resolved as (
    select
        r.*,
        rp.request_id is not null as is_repeated,
        s.csat_score * s.csat_answers as csat_sum,
        s.csat_answers,
        s.csat_satisfied,
        s.nps_answers,
        s.nps_promoters,
        s.nps_detractors
    from requests as r
    left join surveys as s on r.request_id = s.request_id
    left join repeats as rp on r.request_id = rp.request_id
    where r.resolved_at is not null
),

by_resolved_month as (
    select
        {{ kpi_breakdown_columns('resolved_month', request_dims) }},
        sum(csat_sum) / nullif(sum(csat_answers), 0) as csat_mean,
        sum(csat_satisfied) / nullif(sum(csat_answers), 0) as csat_satisfied_rate,
        100.0 * (sum(nps_promoters) - sum(nps_detractors)) / nullif(sum(nps_answers), 0) as nps,
        avg(case when is_reopened then 1.0 else 0.0 end) as reopen_rate,
        avg(case when is_repeated then 1.0 else 0.0 end) as repeat_submission_rate,
        {{ median('lead_time_minutes') }} / 60.0 as lead_time_median_hours,
        avg(lead_time_minutes) / 60.0 as lead_time_mean_hours,
        {{ percentile('lead_time_minutes', 0.9) }} / 60.0 as lead_time_p90_hours,
        {{ median('lead_time_business_minutes') }} / 60.0 as lead_time_business_median_hours,
        avg(lead_time_business_minutes) / 60.0 as lead_time_business_mean_hours,
        {{ percentile('lead_time_business_minutes', 0.9) }} / 60.0 as lead_time_business_p90_hours,
        avg(case
            when reassignment_count = 0 and reopen_count = 0 and task_count - automated_task_count <= 1 then 1.0
            else 0.0
        end) as one_touch_rate,
        avg(case when sla_met then 1.0 when sla_met is not null then 0.0 end) as sla_attainment_rate,
        avg(case when is_first_contact_resolution then 1.0 else 0.0 end) as first_contact_resolution_rate,
        avg(case
            when approval_count = 0 or is_approval_rejected then null
            when is_approved_before_fulfilment then 1.0 else 0.0
        end) as approval_compliance_rate,
        count(*) filter (where priority in ('P1', 'P2') and sla_met = false) as high_priority_sla_breaches,
        avg(agent_cost) + {{ var('cost_overhead_per_request') }} as cost_per_request,
        avg(case when is_cross_department_rework then 1.0 else 0.0 end) as cross_department_rework_rate
    from resolved
    group by {{ kpi_grouping_sets('resolved_month', request_dims) }}
),

request_agents as (
    select
        r.request_id, r.resolved_month, r.domain_id, r.category_id, r.service_id, r.channel, r.site_id, r.priority,
        r.requester_role, t.agent_id
    from resolved as r
    inner join tasks as t on r.request_id = t.request_id
    where t.agent_id is not null
),

agents_by_month as (
    select
        {{ kpi_breakdown_columns('resolved_month', request_dims) }},
        count(distinct request_id) * 1.0 / nullif(count(distinct agent_id), 0) as requests_per_agent
    from request_agents
    group by {{ kpi_grouping_sets('resolved_month', request_dims) }}
),

by_opened_month as (
    select
        {{ kpi_breakdown_columns('opened_month', request_dims) }},
        count(*) as request_volume,
        {{ median('first_response_minutes') }} as first_response_median_minutes,
        {{ median('first_response_business_minutes') }} as first_response_business_median_minutes,
        {{ percentile('first_response_business_minutes', 0.9) }} as first_response_business_p90_minutes,
        avg(case when response_sla_met then 1.0 when response_sla_met is not null then 0.0 end)
            as response_sla_attainment_rate,
        avg(case when service_mapping = 'other' then 1.0 else 0.0 end) as catalog_other_share
    from requests
    group by {{ kpi_grouping_sets('opened_month', request_dims) }}
),

task_dims as (
    select t.completed_month, t.is_automated, t.site_id, r.channel, r.priority, r.requester_role,
        t.request_domain_id as domain_id, r.category_id, r.service_id
    from tasks as t
    inner join requests as r on t.request_id = r.request_id
    where t.completed_at is not null
),

by_task_month as (
    select
        {{ kpi_breakdown_columns('completed_month', request_dims) }},
        avg(case when is_automated then 1.0 else 0.0 end) as automation_coverage
    from task_dims
    group by {{ kpi_grouping_sets('completed_month', request_dims) }}
),

sessions as (
    select
        ss.session_id,
        cast(date_trunc('month', ss.viewed_at) as date) as session_month,
        svc.domain_id,
        ss.channel,
        not exists (
            select 1
            from requests as r
            where r.requester_id = ss.requester_id
                and r.service_id = ss.service_id
                and r.opened_at >= ss.viewed_at
                and r.opened_at < ss.viewed_at + interval '{{ var("self_service_window_hours") }} hours'
        ) as is_success
    from {{ ref('stg_esm_export__self_service_sessions') }} as ss
    left join {{ ref('dim_services') }} as svc on ss.service_id = svc.service_id
),

{%- set session_dims = kpi_dimensions(['department', 'channel']) %}

by_session_month as (
    select
        {{ kpi_breakdown_columns('session_month', session_dims) }},
        avg(case when is_success then 1.0 else 0.0 end) as self_service_success_rate
    from sessions
    group by {{ kpi_grouping_sets('session_month', session_dims) }}
),

months as (
    select distinct opened_month as month_start from requests
),

backlog as (
    -- requests still open at a month end (opened before it, resolved at or after it), with their age
    select
        r.*,
        m.month_start as backlog_month,
        {{ seconds_between('r.opened_at', 'm.month_start + interval 1 month') }} / 86400.0 as age_days
    from months as m
    inner join requests as r
        on r.opened_at < m.month_start + interval 1 month
        and (r.resolved_at is null or r.resolved_at >= m.month_start + interval 1 month)
    where m.month_start + interval 1 month <= (select as_of_at from {{ ref('int_sla__as_of') }})
),

by_backlog_month as (
    select
        {{ kpi_breakdown_columns('backlog_month', request_dims) }},
        count(*) as backlog_open_requests,
        count(*) filter (where age_days < 2) as backlog_age_0_1_days,
        count(*) filter (where age_days >= 2 and age_days < 6) as backlog_age_2_5_days,
        count(*) filter (where age_days >= 6 and age_days < 31) as backlog_age_6_30_days,
        count(*) filter (where age_days >= 31 and age_days < 91) as backlog_age_31_90_days,
        count(*) filter (where age_days >= 91) as backlog_age_over_90_days
    from backlog
    group by {{ kpi_grouping_sets('backlog_month', request_dims) }}
),

agents as (
    select a.agent_id, a.agent_department as domain_id, a.agent_site_id as site_id,
        coalesce(s.calendar_id, (select calendar_id from {{ ref('stg_reference__calendars') }} where is_default))
            as calendar_id
    from {{ ref('stg_esm_export__agents') }} as a
    left join {{ ref('dim_sites') }} as s on a.agent_site_id = s.site_id
),

capacity as (
    select calendar_id, cast(date_trunc('month', local_date) as date) as month_start, sum(seconds) / 3600.0 as hours
    from {{ ref('stg_reference__calendar_intervals') }}
    group by all
),

agent_months as (
    select
        a.agent_id,
        a.domain_id,
        a.site_id,
        c.month_start,
        c.hours as capacity_hours,
        coalesce(sum(t.effort_minutes), 0) / 60.0 as effort_hours
    from agents as a
    inner join capacity as c on a.calendar_id = c.calendar_id
    inner join months as m on c.month_start = m.month_start
    left join tasks as t on t.agent_id = a.agent_id and t.completed_month = c.month_start
    group by all
),

{%- set agent_dims = kpi_dimensions(['department', 'site']) %}

by_agent_month as (
    select
        {{ kpi_breakdown_columns('month_start', agent_dims) }},
        sum(effort_hours) / nullif(sum(capacity_hours), 0) as agent_utilization
    from agent_months
    group by {{ kpi_grouping_sets('month_start', agent_dims) }}
),

grants as (
    select g.*, q.requester_site_id as site_id
    from {{ ref('stg_esm_export__access_grants') }} as g
    left join {{ ref('stg_esm_export__requesters') }} as q on g.requester_id = q.requester_id
),

grant_month_end as (
    select
        m.month_start,
        g.site_id,
        g.expires_at < m.month_start + interval '1 month' as is_overdue
    from months as m
    inner join grants as g
        on g.granted_at < m.month_start + interval '1 month'
        and (g.revoked_at is null or g.revoked_at >= m.month_start + interval '1 month')
),

{%- set site_dims = kpi_dimensions(['site']) %}

by_grant_month as (
    select
        {{ kpi_breakdown_columns('month_start', site_dims) }},
        avg(case when is_overdue then 1.0 else 0.0 end) as overdue_access_grant_rate
    from grant_month_end
    group by {{ kpi_grouping_sets('month_start', site_dims) }}
),

violations as (
    select
        cast(date_trunc('month', v.occurred_at) as date) as violation_month,
        q.requester_site_id as site_id
    from {{ ref('stg_esm_export__access_violations') }} as v
    left join {{ ref('stg_esm_export__requesters') }} as q on v.requester_id = q.requester_id
),

by_violation_month as (
    select
        {{ kpi_breakdown_columns('violation_month', site_dims) }},
        count(*) as violation_count
    from violations
    group by {{ kpi_grouping_sets('violation_month', site_dims) }}
),

long as (
    {{ kpi_unpivot('by_resolved_month', [
        'csat_mean', 'csat_satisfied_rate', 'nps', 'reopen_rate', 'repeat_submission_rate',
        'lead_time_median_hours', 'lead_time_mean_hours', 'lead_time_p90_hours',
        'lead_time_business_median_hours', 'lead_time_business_mean_hours', 'lead_time_business_p90_hours',
        'sla_attainment_rate', 'first_contact_resolution_rate', 'one_touch_rate',
        'approval_compliance_rate', 'high_priority_sla_breaches', 'cost_per_request',
        'cross_department_rework_rate']) }}
    union all
    {{ kpi_unpivot('agents_by_month', ['requests_per_agent']) }}
    union all
    {{ kpi_unpivot('by_opened_month', [
        'request_volume', 'first_response_median_minutes', 'first_response_business_median_minutes',
        'first_response_business_p90_minutes', 'response_sla_attainment_rate', 'catalog_other_share']) }}
    union all
    {{ kpi_unpivot('by_backlog_month', [
        'backlog_open_requests', 'backlog_age_0_1_days', 'backlog_age_2_5_days', 'backlog_age_6_30_days',
        'backlog_age_31_90_days', 'backlog_age_over_90_days']) }}
    union all
    {{ kpi_unpivot('by_agent_month', ['agent_utilization']) }}
    union all
    {{ kpi_unpivot('by_task_month', ['automation_coverage']) }}
    union all
    {{ kpi_unpivot('by_session_month', ['self_service_success_rate']) }}
    union all
    {{ kpi_unpivot('by_grant_month', ['overdue_access_grant_rate']) }}
    union all
    {{ kpi_unpivot('by_violation_month', ['violation_count']) }}
),

catalog as (
    select metric_id, family from {{ ref('stg_reference__metrics') }}
),

final as (
    select
        l.metric_id,
        c.family,
        l.month,
        l.dimension,
        l.dimension_value,
        l.value
    from long as l
    left join catalog as c on l.metric_id = c.metric_id
    where l.month is not null
)

select * from final
