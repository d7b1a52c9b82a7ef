"""ServiceNow Table API: /api/now/table/<table>, offset paging, incremental on sys_updated_on.

Streams, in order (later ones look up the requests the earlier ones brought):
  sys_user_group -> group names; sys_user -> requesters; incident and sc_req_item -> requests; sc_task -> tasks;
  sysapproval_approver -> approvals; task_sla -> 'source_sla' events (met / breached per SLA definition);
  sys_audit (state and assignment_group of those tables) -> request events.
Assignment groups are recorded by name (sys_user_group), so they read the same as in CSV exports.
Times from the API are UTC (`sysparm_display_value=false`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from connectors.framework import Chunk, lookup_ids
from connectors.http import ApiClient, page_payload

if TYPE_CHECKING:
    from connectors.servicenow import ServiceNowConnector

REQUEST_TABLES = ("incident", "sc_req_item")
STREAMS = ("sys_user_group", "sys_user", "incident", "sc_req_item", "sc_task", "sysapproval_approver", "task_sla",
           "sys_audit")
APPROVAL_STATES = {"approved": "approved", "rejected": "rejected", "requested": None, "not requested": None,
                   "cancelled": "cancelled", "not_required": "approved"}


def _ref(value: Any) -> str | None:
    """A reference field: a sys_id string, or {link, value} when reference links are not excluded."""
    if isinstance(value, dict):
        value = value.get("value")
    return value or None


def _none(value: Any) -> Any:
    return value if value not in ("", None) else None


def table_pages(client: ApiClient, table: str, since: str | None, page_size: int,
                query: str = "") -> Iterator[tuple[list[dict], httpx.Response]]:
    """Pages of a table ordered by sys_updated_on, from `since` (inclusive: same-second updates are not lost;
    what was already landed is dropped as an exact re-delivery)."""
    clauses = [c for c in (query, f"sys_updated_on>={since}" if since else "") if c]
    params = {"sysparm_query": "^".join(clauses + ["ORDERBYsys_updated_on"]), "sysparm_limit": page_size,
              "sysparm_offset": 0, "sysparm_display_value": "false", "sysparm_exclude_reference_link": "true"}
    url = f"/api/now/table/{table}"
    while True:
        body, response = client.get(url, params=params)
        rows = body.get("result") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise ValueError(f"servicenow: page of {table} has no result list")
        if rows:
            yield rows, response
        total = response.headers.get("X-Total-Count")
        params["sysparm_offset"] += len(rows)
        if not rows or len(rows) < page_size or (total is not None and params["sysparm_offset"] >= int(total)):
            return


def _request(table: str, r: dict, status_map: dict[str, str]) -> dict:
    from connectors.servicenow import CHANNEL_MAP, PRIORITY_MAP

    state = str(r.get("state", "")).lower()
    return {
        "request_id": r["number"], "requester_id": _ref(r.get("caller_id") or r.get("requested_for")),
        "service_id": None, "channel": CHANNEL_MAP.get(str(r.get("contact_type", "")).lower(), "portal"
                                                       if table == "sc_req_item" else "other"),
        "priority": PRIORITY_MAP.get(str(r.get("priority", "")).split(" ")[0]),
        "urgency": _none(r.get("urgency")), "impact": _none(r.get("impact")),
        "status": status_map.get(state, "unknown"), "resolution_code": _none(r.get("close_code")),
        "assigned_group": _ref(r.get("assignment_group")), "agent_id": _ref(r.get("assigned_to")),
        "opened_at": _none(r.get("opened_at")), "resolved_at": _none(r.get("resolved_at")),
        "closed_at": _none(r.get("closed_at")), "updated_at": _none(r.get("sys_updated_on")), "timezone": "UTC",
        "source_category": _none(r.get("category")) or _ref(r.get("cat_item")) or table,
        "source_subcategory": _none(r.get("subcategory")), "subject": _none(r.get("short_description")),
        "source_sla_met": {"true": True, "false": False}.get(str(r.get("made_sla", "")).lower()),
    }


def table_api_chunks(conn: ServiceNowConnector) -> Iterator[Chunk]:
    from connectors.servicenow import STATUS_MAP

    auth, headers = conn.auth()
    client = ApiClient.for_connector(conn, auth=auth, headers=headers)
    page_size = int(conn.option("page_size", 1000))
    tables = conn.option("tables") or STREAMS
    tables = tables.split(",") if isinstance(tables, str) else tables
    status_map = STATUS_MAP | {k.lower(): v for k, v in (conn.option("status_map") or {}).items()}
    groups: dict[str, str] = {}  # sys_id -> name, from this run's sys_user_group pages
    try:
        for table in (t for t in STREAMS if t in tables):
            query = ""
            if table == "sys_audit":
                query = "tablenameIN" + ",".join(REQUEST_TABLES) + "^fieldnameINstate,assignment_group"
            since = conn.cursors.get(table)
            for rows, response in table_pages(client, table, since, page_size, query):
                chunk = Chunk(payloads=[page_payload(f"{table}_page", response)])
                chunk.cursors[table] = max(str(r.get("sys_updated_on") or "") for r in rows) or (since or "")
                if table == "sys_user_group":
                    chunk.id_map = [("group", r["sys_id"], r.get("name") or r["sys_id"]) for r in rows]
                    groups.update({r["sys_id"]: r.get("name") or r["sys_id"] for r in rows})
                elif table == "sys_user":
                    chunk.add("requesters", [{"requester_id": r["sys_id"], "org_unit": _ref(r.get("department")),
                                              "site_id": _ref(r.get("location")), "role": _none(r.get("title"))}
                                             for r in rows])
                elif table in REQUEST_TABLES:
                    group_names = _groups(conn, groups, rows, "assignment_group")
                    chunk.add("requests", [_request(table, r, status_map) | {
                        "assigned_group": group_names.get(_ref(r.get("assignment_group")) or "",
                                                          _ref(r.get("assignment_group")))} for r in rows])
                    chunk.id_map = [(table, r["sys_id"], r["number"]) for r in rows]
                elif table == "sc_task":
                    parents = _parents(conn, rows, "request_item")
                    chunk.add("tasks", [{
                        "task_id": r["number"], "request_id": parents[_ref(r.get("request_item")) or ""],
                        "step": _none(r.get("short_description")), "assigned_group": _ref(r.get("assignment_group")),
                        "agent_id": _ref(r.get("assigned_to")), "created_at": _none(r.get("opened_at")),
                        "completed_at": _none(r.get("closed_at")),
                        "status": "done" if _none(r.get("closed_at")) else "open", "is_automated": False,
                    } for r in rows])
                elif table == "sysapproval_approver":
                    parents = _parents(conn, rows, "sysapproval")
                    chunk.add("approvals", [{
                        "approval_id": r["sys_id"], "request_id": parents[_ref(r.get("sysapproval")) or ""],
                        "step": _none(r.get("source_table")) or "approval", "level": 1,
                        "approver_id": _ref(r.get("approver")),
                        "decision": APPROVAL_STATES.get(str(r.get("state", "")).lower()),
                        "requested_at": _none(r.get("sys_created_on")),
                        "decided_at": _none(r.get("sys_updated_on")) if str(r.get("state")) in
                        ("approved", "rejected") else None,
                    } for r in rows])
                elif table == "task_sla":
                    parents = _parents(conn, rows, "task")
                    chunk.add("request_events", [{
                        "event_id": r["sys_id"], "request_id": parents[_ref(r.get("task")) or ""],
                        "event_type": "source_sla", "occurred_at": _none(r.get("end_time"))
                        or _none(r.get("sys_updated_on")), "from_value": _ref(r.get("sla")),
                        "to_value": "breached" if str(r.get("has_breached")).lower() == "true" else
                        ("met" if str(r.get("stage")).lower() == "completed" else _none(r.get("stage"))),
                        "actor_id": None, "is_public": False} for r in rows])
                else:  # sys_audit
                    parents = _parents(conn, rows, "documentkey")
                    names = _groups(conn, groups, [{"g": v} for r in rows if r.get("fieldname") == "assignment_group"
                                                   for v in (r.get("oldvalue"), r.get("newvalue")) if v], "g")
                    events = []
                    for r in rows:
                        is_state = r.get("fieldname") == "state"
                        old, new = _none(r.get("oldvalue")), _none(r.get("newvalue"))
                        events.append({
                            "event_id": r["sys_id"], "request_id": parents[r.get("documentkey") or ""],
                            "event_type": "status_change" if is_state else "assignment_change",
                            "occurred_at": _none(r.get("sys_created_on")),
                            "from_value": status_map.get(str(old).lower(), old) if is_state and old
                            else names.get(old, old),
                            "to_value": status_map.get(str(new).lower(), new) if is_state and new
                            else names.get(new, new),
                            "actor_id": _none(r.get("user")), "is_public": False})
                    chunk.add("request_events", events)
                yield chunk
            yield Chunk(flush_after=True)  # the next stream looks up what this one brought
    finally:
        client.close()


def _groups(conn: ServiceNowConnector, known: dict[str, str], rows: list[dict], field: str) -> dict[str, str]:
    """Group sys_id -> name: from this run, else from earlier runs' id map; unknown ids stay ids."""
    wanted = {_ref(r.get(field)) for r in rows if _ref(r.get(field))}
    missing = {g for g in wanted if g not in known}
    return {g: known[g] for g in wanted if g in known} | lookup_ids(conn.con, conn.source_system, ("group",),
                                                                    missing)


class _Parents(dict):
    """sys_id of a parent request -> its number; an unknown parent keeps its sys_id, so landing quarantines
    the child as 'unknown request_id' with its payload rather than losing it."""

    def __missing__(self, key: str) -> str | None:
        return f"sys_id:{key}" if key else None


def _parents(conn: ServiceNowConnector, rows: list[dict], field: str) -> dict[str, str]:
    """sys_id of each row's parent request -> its number (landed earlier in this run or in a past run)."""
    return _Parents(lookup_ids(conn.con, conn.source_system, REQUEST_TABLES,
                               {_ref(r.get(field)) for r in rows if _ref(r.get(field))}))
