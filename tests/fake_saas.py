"""A local HTTP server on 127.0.0.1 that speaks the documented shapes of the ticketing APIs the connectors read:
ServiceNow Table API, Zendesk incremental exports, Jira Service Management search, ServiceDesk Plus v3.

It serves records from memory with each API's own paging and cursors, checks credentials (401 otherwise), and
plays faults queued by a test: 429 with Retry-After, 5xx, or a malformed page. Used by tests and benchmarks.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse


def _epoch(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp())


@dataclass
class FakeSaaS:
    """Records per API and table; `faults[path_prefix]` is a list of faults played in order."""

    token: str = "test-token"
    user: str = "svc_esm"
    password: str = "s3cret"
    servicenow: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    zendesk: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    jira: list[dict] = field(default_factory=list)
    sdp: list[dict] = field(default_factory=list)
    sdp_details: dict[str, dict] = field(default_factory=dict)  # request id -> {tasks, worklogs, approval_levels,
    #                                                               approvals: {level id: [...]}}
    faults: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    requests: list[str] = field(default_factory=list)
    sleeps_asked: list[float] = field(default_factory=list)

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                fake._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- plumbing ----------------------------------------------------------------------------------------------
    def _send(self, h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _authorised(self, h: BaseHTTPRequestHandler) -> bool:
        import base64

        auth = h.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return auth in (f"Bearer {self.token}", basic, f"Zoho-oauthtoken {self.token}") \
            or h.headers.get("authtoken") == self.token

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlparse(h.path)
        self.requests.append(h.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        for prefix, queue in self.faults.items():
            if url.path.startswith(prefix) and queue:
                fault = queue.pop(0)
                if fault[0] == 429:
                    return self._send(h, 429, {"error": "rate limited"}, {"Retry-After": str(fault[1])})
                if fault[0] == "malformed":
                    return self._send(h, 200, b"<html>upstream proxy error</html>")
                return self._send(h, fault[0], {"error": "injected"})
        if not self._authorised(h):
            return self._send(h, 401, {"error": {"message": "User Not Authenticated"}})
        base = f"http://{h.headers.get('Host')}"
        if url.path.startswith("/api/now/table/"):
            return self._servicenow(h, url.path.rsplit("/", 1)[1], q, base)
        if url.path.startswith("/api/v2/groups"):
            return self._zendesk_groups(h, q, base)
        if url.path.startswith("/api/v2/incremental/users/cursor"):
            return self._zendesk_users(h, q, base)
        if url.path.startswith("/api/v2/incremental/tickets/cursor"):
            return self._zendesk_tickets(h, q, base)
        if url.path.startswith("/api/v2/incremental/ticket_events"):
            return self._zendesk_events(h, q, base)
        if url.path.startswith("/api/v2/satisfaction_ratings"):
            return self._zendesk_ratings(h, q, base)
        if url.path.startswith("/rest/api/3/search/jql"):
            return self._jira(h, q)
        if url.path.startswith("/api/v3/requests/"):
            return self._sdp_detail(h, url.path.split("/")[4:])
        if url.path.startswith("/api/v3/requests"):
            return self._sdp(h, q)
        return self._send(h, 404, {"error": "no such endpoint"})

    # ---- ServiceNow Table API: sysparm_offset / sysparm_limit, X-Total-Count, Link rel=next --------------------
    def _servicenow(self, h: BaseHTTPRequestHandler, table: str, q: dict, base: str) -> None:
        rows = sorted(self.servicenow.get(table, []), key=lambda r: r["sys_updated_on"])
        for clause in q.get("sysparm_query", "").split("^"):
            if clause.startswith("sys_updated_on>="):
                since = clause.split(">=", 1)[1]
                rows = [r for r in rows if r["sys_updated_on"] >= since]
            elif clause.startswith("tablenameIN"):
                rows = [r for r in rows if r.get("tablename") in clause[len("tablenameIN"):].split(",")]
            elif clause.startswith("fieldnameIN"):
                rows = [r for r in rows if r.get("fieldname") in clause[len("fieldnameIN"):].split(",")]
        offset, limit = int(q.get("sysparm_offset", 0)), int(q.get("sysparm_limit", 10000))
        page = rows[offset:offset + limit]
        headers = {"X-Total-Count": str(len(rows))}
        if offset + limit < len(rows):
            nq = dict(q, sysparm_offset=offset + limit)
            headers["Link"] = f'<{base}/api/now/table/{table}?{urlencode(nq)}>;rel="next"'
        self._send(h, 200, {"result": page}, headers)

    # ---- Zendesk: cursor-based incremental tickets, time-based ticket events, cursor-paged ratings -------------
    def _zendesk_tickets(self, h: BaseHTTPRequestHandler, q: dict, base: str) -> None:
        """The cursor encodes the (updated_at, id) of the last ticket served, as Zendesk's opaque cursor does."""
        per_page = int(q.get("per_page", 1000))
        rows = sorted(self.zendesk["tickets"], key=lambda t: (_epoch(t["updated_at"]), t["id"]))
        if "cursor" in q:
            last = tuple(int(x) for x in q["cursor"].split("-"))
            rows = [t for t in rows if (_epoch(t["updated_at"]), t["id"]) > last]
        else:
            rows = [t for t in rows if _epoch(t["updated_at"]) >= int(q.get("start_time", 0))]
        page = rows[:per_page]
        after = f"{_epoch(page[-1]['updated_at'])}-{page[-1]['id']}" if page else q.get("cursor", "0-0")
        self._send(h, 200, {"tickets": page, "after_cursor": after, "before_cursor": None,
                            "after_url": f"{base}/api/v2/incremental/tickets/cursor.json?cursor={after}",
                            "end_of_stream": len(rows) <= per_page})

    def _zendesk_groups(self, h: BaseHTTPRequestHandler, q: dict, base: str) -> None:
        size, start = int(q.get("page[size]", 100)), int(q.get("page[after]", 0))
        rows = sorted(self.zendesk["groups"], key=lambda g: g["id"])
        more = start + size < len(rows)
        self._send(h, 200, {"groups": rows[start:start + size], "meta": {"has_more": more},
                            "links": {"next": f"{base}/api/v2/groups?page[size]={size}&page[after]={start + size}"
                                      if more else None}})

    def _zendesk_users(self, h: BaseHTTPRequestHandler, q: dict, base: str) -> None:
        per_page = int(q.get("per_page", 1000))
        rows = sorted(self.zendesk["users"], key=lambda u: (_epoch(u["updated_at"]), u["id"]))
        if "cursor" in q:
            last = tuple(int(x) for x in q["cursor"].split("-"))
            rows = [u for u in rows if (_epoch(u["updated_at"]), u["id"]) > last]
        page = rows[:per_page]
        after = f"{_epoch(page[-1]['updated_at'])}-{page[-1]['id']}" if page else q.get("cursor", "0-0")
        self._send(h, 200, {"users": page, "after_cursor": after, "end_of_stream": len(rows) <= per_page})

    def _zendesk_events(self, h: BaseHTTPRequestHandler, q: dict, base: str) -> None:
        per_page = int(q.get("per_page", 1000))
        start_time = int(q.get("start_time", 0))
        rows = sorted((e for e in self.zendesk["ticket_events"] if _epoch(e["created_at"]) >= start_time),
                      key=lambda e: (e["created_at"], e["id"]))
        page = rows[:per_page]
        end_time = _epoch(page[-1]["created_at"]) if page else start_time
        end = len(rows) <= per_page
        self._send(h, 200, {"ticket_events": page, "count": len(page), "end_time": end_time, "end_of_stream": end,
                            "next_page": None if end else
                            f"{base}/api/v2/incremental/ticket_events.json?start_time={end_time}"})

    def _zendesk_ratings(self, h: BaseHTTPRequestHandler, q: dict, base: str) -> None:
        size = int(q.get("page[size]", 100))
        rows = sorted((r for r in self.zendesk["satisfaction_ratings"]
                       if _epoch(r["updated_at"]) >= int(q.get("start_time", 0))), key=lambda r: r["id"])
        start = int(q.get("page[after]", 0))
        page = rows[start:start + size]
        more = start + size < len(rows)
        self._send(h, 200, {"satisfaction_ratings": page, "meta": {"has_more": more, "after_cursor": str(start + size)},
                            "links": {"next": f"{base}/api/v2/satisfaction_ratings?page[after]={start + size}"
                                      if more else None}})

    # ---- Jira: /rest/api/3/search/jql with nextPageToken, changelog expanded --------------------------------
    def _jira(self, h: BaseHTTPRequestHandler, q: dict) -> None:
        size = int(q.get("maxResults", 100))
        rows = sorted(self.jira, key=lambda i: (i["fields"]["updated"], i["key"]))
        jql = q.get("jql", "")
        if "updated >=" in jql:
            since = jql.split('updated >= "', 1)[1].split('"', 1)[0]
            rows = [i for i in rows if i["fields"]["updated"][:16].replace("T", " ").replace("-", "/") >= since]
        start = int(q.get("nextPageToken", 0))
        page = rows[start:start + size]
        last = start + size >= len(rows)
        body = {"issues": page, "isLast": last}
        if not last:
            body["nextPageToken"] = str(start + size)
        self._send(h, 200, body)

    # ---- ServiceDesk Plus v3: input_data list_info, has_more_rows, response_status -----------------------------
    def _sdp_detail(self, h: BaseHTTPRequestHandler, parts: list[str]) -> None:
        detail = self.sdp_details.get(parts[0], {})
        ok = [{"status_code": 2000, "status": "success"}]
        if len(parts) == 2:  # tasks, worklogs, approval_levels
            return self._send(h, 200, {parts[1]: detail.get(parts[1], []), "response_status": ok})
        if len(parts) == 4 and parts[3] == "approvals":
            return self._send(h, 200, {"approvals": detail.get("approvals", {}).get(parts[2], []),
                                       "response_status": ok})
        return self._send(h, 404, {"response_status": [{"status_code": 4000, "status": "failed"}]})

    def _sdp(self, h: BaseHTTPRequestHandler, q: dict) -> None:
        info = json.loads(q.get("input_data", "{}")).get("list_info", {})
        size, start = int(info.get("row_count", 100)), int(info.get("start_index", 1))
        rows = sorted(self.sdp, key=lambda r: (int(r["last_updated_time"]["value"]), r["id"]))
        for c in info.get("search_criteria", []) or []:
            if c.get("field") == "last_updated_time" and c.get("condition") == "greater or equal":
                rows = [r for r in rows if int(r["last_updated_time"]["value"]) >= int(c["value"])]
        page = rows[start - 1:start - 1 + size]
        self._send(h, 200, {"requests": page, "response_status": [{"status_code": 2000, "status": "success"}],
                            "list_info": {"has_more_rows": start - 1 + size < len(rows), "start_index": start,
                                          "row_count": len(page)}})
