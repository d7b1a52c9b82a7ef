"""Jira Service Management: `/rest/api/3/search/jql` with the changelog expanded, paged by nextPageToken.

Incremental on `updated`: the cursor is the last issue's updated time (minute precision, as JQL takes it).
Request type, SLA and satisfaction come from custom fields whose ids differ per site: the options
`request_type_field`, `sla_field` (time to resolution) and `satisfaction_field` name them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from connectors.framework import Chunk, Connector, ConnectorError
from connectors.http import ApiClient, page_payload

STATUS_CATEGORY = {"new": "new", "indeterminate": "in_progress", "done": "resolved"}
STATUS_MAP = {"waiting for customer": "waiting_on_requester", "waiting for support": "in_progress",
              "pending": "on_hold", "escalated": "in_progress", "work in progress": "in_progress",
              "resolved": "resolved", "closed": "closed", "canceled": "cancelled", "done": "resolved",
              "open": "new", "to do": "new", "in progress": "in_progress", "reopened": "reopened"}
PRIORITY_MAP = {"highest": "P1", "high": "P2", "medium": "P3", "low": "P4", "lowest": "P4"}


def _status(status: dict | None) -> str:
    if not status:
        return "unknown"
    name = str(status.get("name", "")).lower()
    return STATUS_MAP.get(name) or STATUS_CATEGORY.get((status.get("statusCategory") or {}).get("key"), "unknown")


def _jira_time(value: str | None) -> str | None:
    """'2026-03-02T09:15:00.000+0800' -> naive UTC (a DuckDB cast to timestamp would drop the offset)."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC).replace(tzinfo=None).isoformat()


class JiraServiceManagementConnector(Connector):
    name = "jira"
    title = "Jira Service Management: issues with changelog, request types, SLA fields and satisfaction"
    prefetch = True
    options_help = {"url": "https://<site>.atlassian.net", "email_env": "variable holding the account email",
                    "token_env": "variable holding the API token", "jql": "which issues (default: every issue)",
                    "request_type_field": "custom field of the request type (default customfield_10010)",
                    "sla_field": "custom field of 'Time to resolution' (default customfield_10030)",
                    "satisfaction_field": "custom field of satisfaction (default customfield_10040)"}

    def chunks(self) -> Iterator[Chunk]:
        token = self.secret("token")
        email = self.secret("email")
        if token is None:
            raise ConnectorError("jira: set email_env and token_env in the source options")
        client = ApiClient.for_connector(self, auth=(email, token) if email else None,
                                         headers={} if email else {"Authorization": f"Bearer {token}"})
        rt_field = self.option("request_type_field", "customfield_10010")
        sla_field = self.option("sla_field", "customfield_10030")
        sat_field = self.option("satisfaction_field", "customfield_10040")
        base_jql = self.option("jql", "")
        since = self.cursors.get("issues")
        clauses = [c for c in (base_jql, f'updated >= "{since}"' if since else "") if c]
        jql = " AND ".join(f"({c})" for c in clauses) + " ORDER BY updated ASC"
        params = {"jql": jql.strip(), "maxResults": int(self.option("page_size", 100)), "expand": "changelog",
                  "fields": "*all"}
        try:
            while True:
                body, response = client.get("/rest/api/3/search/jql", params=params)
                issues = body.get("issues")
                if not isinstance(issues, list):
                    raise ConnectorError("jira: a search page without an issues list")
                chunk = self._chunk(issues, rt_field, sla_field, sat_field)
                chunk.payloads.append(page_payload("issues_page", response))
                yield chunk
                token_next = body.get("nextPageToken")
                if body.get("isLast", True) or not token_next:
                    return
                params["nextPageToken"] = token_next
        finally:
            client.close()

    def _chunk(self, issues: list[dict], rt_field: str, sla_field: str, sat_field: str) -> Chunk:
        chunk = Chunk()
        requests, events, surveys = [], [], []
        for issue in issues:
            f = issue.get("fields") or {}
            request_type = ((f.get(rt_field) or {}).get("requestType") or {}).get("name")
            sla = f.get(sla_field) or {}
            cycles = sla.get("completedCycles") or []
            sla_met = (not any(c.get("breached") for c in cycles)) if cycles else None
            channel = ((f.get(rt_field) or {}).get("currentStatus") or {}).get("channel") or "portal"
            requests.append({
                "request_id": issue["key"], "requester_id": (f.get("reporter") or {}).get("accountId"),
                "channel": channel if channel in ("email", "portal", "chat", "slack", "teams") else "portal",
                "priority": PRIORITY_MAP.get(str((f.get("priority") or {}).get("name", "")).lower(), "P3"),
                "status": _status(f.get("status")),
                "resolution_code": (f.get("resolution") or {}).get("name"),
                "assigned_group": ((f.get("customfield_10001") or {}) or {}).get("name")
                if isinstance(f.get("customfield_10001"), dict) else None,
                "agent_id": (f.get("assignee") or {}).get("accountId"),
                "opened_at": _jira_time(f.get("created")), "resolved_at": _jira_time(f.get("resolutiondate")),
                "updated_at": _jira_time(f.get("updated")), "timezone": "UTC",
                "source_category": request_type or (f.get("issuetype") or {}).get("name"),
                "subject": f.get("summary"), "source_sla_met": sla_met,
            })
            for history in (issue.get("changelog") or {}).get("histories") or []:
                for n, item in enumerate(history.get("items") or []):
                    kind = {"status": "status_change", "assignee": "assignment_change"}.get(item.get("field"))
                    if not kind:
                        continue
                    old, new = item.get("fromString"), item.get("toString")
                    if kind == "status_change":
                        old = STATUS_MAP.get(str(old).lower(), str(old).lower()) if old else None
                        new = STATUS_MAP.get(str(new).lower(), str(new).lower()) if new else None
                    events.append({"event_id": f"{issue['key']}:{history['id']}:{n}", "request_id": issue["key"],
                                   "event_type": kind, "occurred_at": _jira_time(history.get("created")),
                                   "from_value": old, "to_value": new,
                                   "actor_id": (history.get("author") or {}).get("accountId"), "is_public": False})
            rating = (f.get(sat_field) or {}).get("rating")
            if rating:
                surveys.append({"survey_id": f"{issue['key']}:csat", "request_id": issue["key"],
                                "csat_score": int(rating), "answered_at": _jira_time(f.get("updated"))})
        chunk.add("requests", requests)
        chunk.add("request_events", events)
        chunk.add("surveys", surveys)
        if issues:
            # JQL compares in the account's zone: keep the cursor in the issue's own offset, to the minute
            last = datetime.strptime((issues[-1].get("fields") or {}).get("updated"), "%Y-%m-%dT%H:%M:%S.%f%z")
            chunk.cursors["issues"] = last.strftime("%Y/%m/%d %H:%M")
        return chunk
