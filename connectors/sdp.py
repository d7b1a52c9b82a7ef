"""ManageEngine ServiceDesk Plus, API v3: `/api/v3/requests` with `input_data.list_info` paging, and per request
its tasks, worklogs (effort) and approval levels with their approvals.

Incremental on `last_updated_time` (epoch milliseconds): the cursor is the newest time landed; the search uses
'greater or equal' so same-millisecond updates are not lost (exact re-deliveries are dropped at landing).
Auth: `authtoken` header (on-premise) or `Authorization: Zoho-oauthtoken` (cloud), from `token_env`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from connectors.framework import Chunk, Connector, ConnectorError
from connectors.http import ApiClient, page_payload

STATUS_MAP = {"open": "in_progress", "on hold": "on_hold", "onhold": "on_hold", "resolved": "resolved",
              "closed": "closed", "canceled": "cancelled", "cancelled": "cancelled", "assigned": "in_progress",
              "in progress": "in_progress", "waiting for user": "waiting_on_requester"}
PRIORITY_MAP = {"urgent": "P1", "high": "P2", "medium": "P3", "normal": "P3", "low": "P4"}
MODE_MAP = {"web form": "portal", "e-mail": "email", "email": "email", "phone call": "phone", "phone": "phone",
            "chat": "chat", "mobile": "mobile", "walk-in": "walk_in"}


def _ms(value: dict | None) -> str | None:
    """SDP time {value: epoch ms, display_value} -> ISO UTC."""
    if not value or not value.get("value"):
        return None
    return datetime.fromtimestamp(int(value["value"]) / 1000, UTC).replace(tzinfo=None).isoformat()


def _list(client: ApiClient, url: str, key: str) -> list[dict]:
    body, _ = client.get(url)
    rows = body.get(key) if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise ConnectorError(f"sdp: {url} answered without a {key} list")
    return rows


def _name(value: dict | None) -> str | None:
    return (value or {}).get("name") if isinstance(value, dict) else None


class ServiceDeskPlusConnector(Connector):
    name = "sdp"
    title = "ManageEngine ServiceDesk Plus: API v3 requests with their tasks, worklogs and approvals"
    prefetch = True
    options_help = {"url": "https://sdp.example.com (or https://sdpondemand.manageengine.com/app/<portal>)",
                    "token_env": "variable holding the authtoken (on-premise) or OAuth token (cloud)",
                    "cloud": "true for Zoho OAuth (Authorization: Zoho-oauthtoken)", "page_size": "default 100",
                    "details": "read each request's tasks, worklogs and approvals (default true)"}

    def chunks(self) -> Iterator[Chunk]:
        token = self.secret("token")
        if token is None:
            raise ConnectorError("sdp: set token_env in the source options")
        cloud = str(self.option("cloud", "false")).lower() == "true"
        headers = {"Accept": "application/vnd.manageengine.sdp.v3+json"}
        headers |= {"Authorization": f"Zoho-oauthtoken {token}"} if cloud else {"authtoken": token}
        client = ApiClient.for_connector(self, headers=headers)
        size = int(self.option("page_size", 100))
        since = self.cursors.get("requests")
        start = 1
        try:
            while True:
                info = {"row_count": size, "start_index": start, "sort_field": "last_updated_time",
                        "sort_order": "asc", "get_total_count": False}
                if since:
                    info["search_criteria"] = [{"field": "last_updated_time", "condition": "greater or equal",
                                                "value": since}]
                body, response = client.get("/api/v3/requests",
                                            params={"input_data": json.dumps({"list_info": info})})
                status = (body.get("response_status") or [{}])[0] if isinstance(body, dict) else {}
                rows = body.get("requests") if isinstance(body, dict) else None
                if status.get("status_code") not in (2000, None) or not isinstance(rows, list):
                    raise ConnectorError(f"sdp: the API answered {status or 'without a requests list'}")
                chunk = Chunk(payloads=[page_payload("requests_page", response)])
                chunk.add("requests", [self._request(r) for r in rows])
                if str(self.option("details", "true")).lower() == "true":
                    for r in rows:
                        self._details(client, str(r["id"]), chunk)
                if rows:
                    chunk.cursors["requests"] = str(max(int(r["last_updated_time"]["value"]) for r in rows))
                yield chunk
                if not (body.get("list_info") or {}).get("has_more_rows"):
                    return
                start += size
        finally:
            client.close()

    def _details(self, client: ApiClient, request_id: str, chunk: Chunk) -> None:
        """Tasks, worklogs and approvals of one request (one call each; approvals one per level).
        Worklog time is effort: on its task, or on a 'request work' task when logged on the request itself."""
        base = f"/api/v3/requests/{request_id}"
        tasks = _list(client, f"{base}/tasks", "tasks")
        worklogs = _list(client, f"{base}/worklogs", "worklogs")
        effort: dict[str, float] = {}
        for w in worklogs:
            spent = w.get("time_spent") or {}
            minutes = float(spent.get("hours") or 0) * 60 + float(spent.get("minutes") or 0)
            key = str((w.get("task") or {}).get("id") or "request")
            effort[key] = effort.get(key, 0.0) + minutes
        rows = [{"task_id": f"{request_id}:{t['id']}", "request_id": request_id, "step": t.get("title"),
                 "assigned_group": _name(t.get("group")), "agent_id": str((t.get("owner") or {}).get("id") or "")
                 or None, "seq": i + 1, "created_at": _ms(t.get("created_time")),
                 "completed_at": _ms(t.get("actual_end_time")),
                 "status": "done" if _ms(t.get("actual_end_time")) else "open", "is_automated": False,
                 "effort_minutes": effort.get(str(t["id"]))} for i, t in enumerate(tasks)]
        if "request" in effort:
            first = min((w for w in worklogs if not (w.get("task") or {}).get("id")),
                        key=lambda w: int((w.get("start_time") or {}).get("value") or 0))
            last_end = max(int((w.get("end_time") or {}).get("value") or 0) for w in worklogs)
            rows.append({"task_id": f"{request_id}:request-work", "request_id": request_id, "step": "request work",
                         "agent_id": str((first.get("owner") or {}).get("id") or "") or None, "seq": len(rows) + 1,
                         "created_at": _ms(first.get("start_time")), "completed_at": _ms({"value": last_end}),
                         "status": "done", "is_automated": False, "effort_minutes": effort["request"]})
        chunk.add("tasks", rows)
        approvals = []
        for level in _list(client, f"{base}/approval_levels", "approval_levels"):
            for a in _list(client, f"{base}/approval_levels/{level['id']}/approvals", "approvals"):
                decision = str(_name(a.get("status")) or "").lower()
                approvals.append({
                    "approval_id": f"{request_id}:{a['id']}", "request_id": request_id, "step": "approval",
                    "level": int(level.get("level") or 1), "approver_id": str((a.get("approver") or {}).get("id")),
                    "decision": {"approved": "approved", "rejected": "rejected", "denied": "rejected"}.get(decision),
                    "requested_at": _ms(a.get("sent_on")), "decided_at": _ms(a.get("action_taken_on"))})
        chunk.add("approvals", approvals)
        chunk.payloads += [("task", f"{request_id}:{t['id']}", t) for t in tasks]
        chunk.payloads += [("worklog", f"{request_id}:{w['id']}", w) for w in worklogs]

    @staticmethod
    def _request(r: dict) -> dict:
        overdue = r.get("is_overdue")
        return {
            "request_id": str(r["id"]), "requester_id": str((r.get("requester") or {}).get("id") or "") or None,
            "channel": MODE_MAP.get(str(_name(r.get("mode")) or "").lower(), "other"),
            "priority": PRIORITY_MAP.get(str(_name(r.get("priority")) or "").lower(), "P3"),
            "status": STATUS_MAP.get(str(_name(r.get("status")) or "").lower(), "unknown"),
            "assigned_group": _name(r.get("group")), "agent_id": str((r.get("technician") or {}).get("id") or "")
            or None, "opened_at": _ms(r.get("created_time")), "first_response_at": _ms(r.get("responded_time")),
            "resolved_at": _ms(r.get("resolved_time")), "closed_at": _ms(r.get("completed_time")),
            "updated_at": _ms(r.get("last_updated_time")), "timezone": "UTC",
            "source_category": _name(r.get("category")) or _name(r.get("request_type")),
            "source_subcategory": _name(r.get("subcategory")), "subject": r.get("subject"),
            "source_sla_met": (not overdue) if overdue is not None else None,
        }
