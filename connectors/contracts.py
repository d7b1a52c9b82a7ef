"""Data contracts of the ESM export format: the raw entities, their keys and what makes a record bad.

Each check is (reason, SQL predicate over the incoming row `i` that is true for a bad record).
`{raw}` in a predicate stands for the raw schema, `{source}` for the source system being loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contract:
    entity: str
    key: tuple[str, ...]
    required: tuple[str, ...] = ()
    checks: tuple[tuple[str, str], ...] = field(default=())

    @property
    def columns(self) -> dict[str, str]:
        """The entity's columns in the export format and their DuckDB types."""
        return COLUMNS[self.entity]

    def all_checks(self) -> list[tuple[str, str]]:
        """Missing keys and required columns first, then the entity's own rules."""
        out = [(f"missing {c}", f"i.{c} is null or trim(cast(i.{c} as varchar)) = ''") for c in self.key]
        out += [(f"missing {c}", f"i.{c} is null") for c in self.required]
        return out + list(self.checks)


def _parent(column: str, entity: str, parent_key: str | None = None) -> tuple[str, str]:
    """A record whose parent was never loaded (or was quarantined) is an orphan."""
    pk = parent_key or column
    return (
        f"unknown {column}",
        f"i.{column} is not null and i.{column} not in "
        f"(select {pk} from {{raw}}.{entity} where _source_system = '{{source}}')",
    )


# the canonical request channels (doors); connectors map a source's own words onto these
CHANNELS = ["portal", "email", "mobile", "wecom", "dingtalk", "feishu", "slack", "teams", "phone", "chat",
            "walk_in", "api", "other"]
PRIORITIES = ["P1", "P2", "P3", "P4"]

T, V, B, INT, D, L = "timestamp", "varchar", "bigint", "integer", "double", "boolean"
COLUMNS: dict[str, dict[str, str]] = {
    "sites": dict(site_id=V, city_en=V, city_zh=V, country=V, timezone=V, calendar_id=V, headcount=B),
    "service_catalog": dict(service_id=V, department=V, category_en=V, category_zh=V, name_en=V, name_zh=V,
                            process=V, department_name_en=V, department_name_zh=V),
    "requesters": dict(requester_id=V, org_unit=V, site_id=V, role=V),
    "agents": dict(agent_id=V, department=V, site_id=V, assigned_group=V, cost_per_hour=D),
    "requests": dict(request_id=V, source_system=V, requester_id=V, service_id=V, channel=V, priority=V,
                     urgency=B, impact=B, status=V, resolution_code=V, assigned_group=V, agent_id=V, opened_at=T,
                     first_response_at=T, resolved_at=T, closed_at=T, updated_at=T, timezone=V,
                     source_category=V, source_subcategory=V, subject=V, source_sla_met=L),
    "request_events": dict(event_id=V, request_id=V, event_type=V, occurred_at=T, from_value=V, to_value=V,
                           actor_id=V, is_public=L),
    "tasks": dict(task_id=V, request_id=V, step=V, department=V, assigned_group=V, agent_id=V, seq=B,
                  depends_on_task_id=V, created_at=T, completed_at=T, status=V, is_automated=L, effort_minutes=D),
    "approvals": dict(approval_id=V, request_id=V, step=V, level=INT, approver_id=V, decision=V, requested_at=T,
                      decided_at=T, amount=D),
    "surveys": dict(survey_id=V, request_id=V, csat_score=B, nps_score=B, answered_at=T),
    "knowledge_articles": dict(article_id=V, service_id=V, title_en=V, title_zh=V),
    "self_service_sessions": dict(session_id=V, requester_id=V, article_id=V, service_id=V, viewed_at=T,
                                  channel=V),
    "access_grants": dict(grant_id=V, request_id=V, requester_id=V, system=V, granted_at=T, expires_at=T,
                          revoked_at=T, is_approved=L),
    "access_violations": dict(violation_id=V, grant_id=V, requester_id=V, system=V, occurred_at=T,
                              violation_type=V),
    "automation_runs": dict(run_id=V, task_id=V, bot_id=V, started_at=T, finished_at=T, outcome=V),
    # one request seen through two doors: this source's request is the same as another source's
    "request_links": dict(link_id=V, request_id=V, linked_source_system=V, linked_request_id=V, link_type=V,
                          linked_at=T),
}

CONTRACTS: list[Contract] = [
    Contract("sites", ("site_id",), ("timezone",),
             (("unknown timezone", "i.timezone not in (select name from pg_timezone_names())"),)),
    Contract("service_catalog", ("service_id",), ("department",)),
    Contract("requesters", ("requester_id",)),
    Contract("agents", ("agent_id",), ("department",)),
    Contract("requests", ("request_id",), ("opened_at",), (
        ("unknown timezone", "i.timezone is null or i.timezone not in (select name from pg_timezone_names())"),
        ("resolved before opened", "i.resolved_at < i.opened_at"),
        ("closed before opened", "i.closed_at < i.opened_at"),
        _parent("service_id", "service_catalog"),
    )),
    Contract("request_events", ("event_id",), ("request_id", "occurred_at"),
             (_parent("request_id", "requests"),)),
    Contract("tasks", ("task_id",), ("request_id",), (
        _parent("request_id", "requests"),
        ("completed before created", "i.completed_at < i.created_at"),
    )),
    Contract("approvals", ("approval_id",), ("request_id",), (
        _parent("request_id", "requests"),
        ("decided before requested", "i.decided_at < i.requested_at"),
    )),
    Contract("surveys", ("survey_id",), ("request_id",), (
        _parent("request_id", "requests"),
        ("csat out of range", "i.csat_score is not null and i.csat_score not between 1 and 5"),
        ("nps out of range", "i.nps_score is not null and i.nps_score not between 0 and 10"),
    )),
    Contract("knowledge_articles", ("article_id",)),
    Contract("self_service_sessions", ("session_id",), ("viewed_at",)),
    Contract("access_grants", ("grant_id",), ("granted_at",),
             (("expires before granted", "i.expires_at < i.granted_at"),)),
    Contract("access_violations", ("violation_id",), ("occurred_at",)),
    Contract("automation_runs", ("run_id",), ("task_id",), (_parent("task_id", "tasks"),)),
    Contract("request_links", ("link_id",), ("request_id", "linked_source_system", "linked_request_id"),
             (_parent("request_id", "requests"),)),
]

BY_ENTITY = {c.entity: c for c in CONTRACTS}
