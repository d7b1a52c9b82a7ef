"""Zendesk Support: the incremental export API.

Streams: groups (names for group ids), users (incremental: end users -> requesters, agents -> agents),
tickets (cursor-based `/api/v2/incremental/tickets/cursor.json`; a ticket with status `deleted` is a
deletion), ticket events (time-based `/api/v2/incremental/ticket_events.json`: status and group changes become
request events, public comments by an agent the first response), satisfaction ratings (good -> CSAT 5, bad -> 1).
Credentials: an API token (`email_env` + `token_env`, sent as `{email}/token:{token}`) or an OAuth `token_env`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import polars as pl

from connectors.framework import Chunk, Connector, ConnectorError, utc_naive
from connectors.http import ApiClient, page_payload
from connectors.landing import RAW_HINT

STATUS_MAP = {"new": "new", "open": "in_progress", "pending": "waiting_on_requester", "hold": "on_hold",
              "solved": "resolved", "closed": "closed"}
PRIORITY_MAP = {"urgent": "P1", "high": "P2", "normal": "P3", "low": "P4"}
CHANNEL_MAP = {"web": "portal", "email": "email", "chat": "chat", "api": "api", "mobile": "mobile",
               "voice": "phone", "phone": "phone", "native_messaging": "chat", "slack": "slack",
               "mobile_sdk": "mobile", "web_widget": "portal"}


def _users_page(response: httpx.Response, client: ApiClient) -> tuple[dict, list[dict]]:
    try:
        body = response.json()
    except ValueError:
        raise client.malformed(response) from None
    users = body.get("users") if isinstance(body, dict) else None
    if not isinstance(users, list):
        raise ConnectorError("zendesk: a users page without a users list")
    return body, users


def _tickets_page(response, client: ApiClient) -> tuple[dict, pl.DataFrame]:
    """A tickets page read in bulk by polars (no Python per ticket); pages it cannot read in bulk (odd shapes)
    go through the per-ticket mapping."""
    try:
        page = pl.read_json(io.BytesIO(response.content))
    except Exception:  # polars raises ComputeError and friends for text that is not JSON
        try:
            body = response.json()
        except ValueError:
            raise client.malformed(response) from None
        page = None
    else:
        body = {c: page[c][0] for c in ("after_cursor", "end_of_stream") if c in page.columns}
    if page is None or "tickets" not in page.columns:
        tickets = body.get("tickets") if page is None else None
        if not isinstance(tickets, list):
            raise ConnectorError("zendesk: a tickets page without a tickets list")
        return body, _ticket_rows(tickets)
    try:
        tickets = page.select(pl.col("tickets").explode()).unnest("tickets").filter(pl.col("id").is_not_null())
        return body, tickets.select(
            pl.col("id").cast(pl.String).alias("request_id"),
            pl.col("requester_id").cast(pl.String),
            pl.col("via").struct.field("channel").cast(pl.String).str.to_lowercase()
            .replace_strict(CHANNEL_MAP, default="other").alias("channel"),
            pl.col("priority").cast(pl.String).str.to_lowercase().replace_strict(PRIORITY_MAP, default="P3"),
            pl.col("status").cast(pl.String).str.to_lowercase().replace_strict(STATUS_MAP | {"deleted": "deleted"},
                                                                               default="unknown"),
            pl.col("group_id").cast(pl.String).alias("assigned_group"),
            pl.col("assignee_id").cast(pl.String).alias("agent_id"),
            *_utc("created_at", "opened_at"), *_utc("updated_at", "updated_at"), pl.lit("UTC").alias("timezone"),
            pl.col("type").cast(pl.String).alias("source_category"), pl.col("subject").cast(pl.String),
            pl.col("tags").cast(pl.List(pl.String)).list.join(",").replace("", None).alias("source_subcategory"),
            pl.col("updated_at").cast(pl.String).alias("_deleted_at"))
    except (pl.exceptions.PolarsError, KeyError, AttributeError):
        return body, _ticket_rows(response.json()["tickets"])


def _utc(column: str, target: str) -> tuple[pl.Expr, pl.Expr]:
    """An ISO 8601 instant ('...Z' or '...+08:00') as naive UTC, parsed in bulk; text that does not parse travels
    beside it (`_raw_<target>`) so landing quarantines the ticket with what was received."""
    text = pl.col(column).cast(pl.String)
    parsed = pl.coalesce(text.str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False),
                         text.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_zone="UTC")
                         .dt.replace_time_zone(None))
    return parsed.alias(target), pl.when(parsed.is_null()).then(text).alias(RAW_HINT + target)


def _ticket_rows(tickets: list[dict]) -> pl.DataFrame:
    rows = [_ticket(t) | {"_deleted_at": t.get("updated_at")} for t in tickets]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _ticket(t: dict) -> dict:
    return {
        "request_id": str(t["id"]), "requester_id": str(t.get("requester_id") or "") or None,
        "channel": CHANNEL_MAP.get(((t.get("via") or {}).get("channel") or "").lower(), "other"),
        "priority": PRIORITY_MAP.get(str(t.get("priority") or "").lower(), "P3"),
        "status": (STATUS_MAP | {"deleted": "deleted"}).get(str(t.get("status") or "").lower(), "unknown"),
        "assigned_group": str(t["group_id"]) if t.get("group_id") else None,
        "agent_id": str(t["assignee_id"]) if t.get("assignee_id") else None,
        "opened_at": t.get("created_at"), "updated_at": t.get("updated_at"), "timezone": "UTC",
        "source_category": t.get("type"), "subject": t.get("subject"),
        "source_subcategory": ",".join(t.get("tags") or []) or None,
    }


class ZendeskConnector(Connector):
    name = "zendesk"
    title = "Zendesk Support: groups, and incremental exports of users, tickets, ticket events, ratings"
    prefetch = True
    options_help = {"url": "https://<subdomain>.zendesk.com", "email_env": "variable holding the agent email",
                    "token_env": "variable holding the API token (or an OAuth token without email_env)",
                    "start_time": "first run: epoch seconds to start from (default 0)",
                    "page_size": "records per page (default 1000)",
                    "department": "department of the desk's agents (default IT)"}

    def _client(self) -> ApiClient:
        token = self.secret("token")
        if token is None:
            raise ConnectorError("zendesk: set token_env (and email_env for an API token) in the source options")
        email = self.secret("email")
        auth = (f"{email}/token", token) if email else None
        headers = {} if email else {"Authorization": f"Bearer {token}"}
        return ApiClient.for_connector(self, auth=auth, headers=headers)

    def chunks(self) -> Iterator[Chunk]:
        client = self._client()
        size = int(self.option("page_size", 1000))
        self.groups: dict[str, str] = {}
        try:
            yield from self._groups(client)
            yield from self._users(client, size)
            yield from self._tickets(client, size)
            yield Chunk(flush_after=True)
            yield from self._events(client, size)
            yield from self._ratings(client)
        finally:
            client.close()

    def _groups(self, client: ApiClient) -> Iterator[Chunk]:
        """Every group (a handful; read whole each run): tickets and events carry group names, not ids."""
        url, params = "/api/v2/groups", {"page[size]": 100}
        while url:
            body, response = client.get(url, params=params)
            groups = body.get("groups") if isinstance(body, dict) else None
            if not isinstance(groups, list):
                raise ConnectorError("zendesk: a groups page without a groups list")
            self.groups |= {str(g["id"]): g.get("name") or str(g["id"]) for g in groups if not g.get("deleted")}
            yield Chunk(payloads=[page_payload("groups_page", response)],
                        id_map=[("group", str(g["id"]), g.get("name") or str(g["id"])) for g in groups])
            url = (body.get("links") or {}).get("next") if (body.get("meta") or {}).get("has_more") else None
            params = None

    def _users(self, client: ApiClient, size: int) -> Iterator[Chunk]:
        """Users (cursor-based incremental export): end users are requesters, agents and admins are agents of
        the desk's department (option `department`, default IT)."""
        department = self.option("department", "IT")
        for response, body, users in self._cursor_pages(client, "users", size, lambda r: _users_page(r, client)):
            chunk = Chunk(payloads=[page_payload("users_page", response)])
            chunk.add("requesters", [{"requester_id": str(u["id"]), "org_unit": _str(u.get("organization_id")),
                                      "role": "employee"} for u in users if u.get("role") == "end-user"])
            chunk.add("agents", [{"agent_id": str(u["id"]), "department": department,
                                  "assigned_group": self.groups.get(str(u.get("default_group_id")),
                                                                    _str(u.get("default_group_id")))}
                                 for u in users if u.get("role") in ("agent", "admin")])
            if body.get("after_cursor"):
                chunk.cursors["users"] = body["after_cursor"]
            yield chunk

    def _cursor_pages(self, client: ApiClient, stream: str, size: int,
                      read: Callable[[httpx.Response], tuple[dict, Any]]) -> Iterator[tuple[httpx.Response, dict, Any]]:
        """The pages of a cursor-based incremental export, from this stream's cursor (or `start_time`): each
        response with its body and records as `read` made them."""
        cursor = self.cursors.get(stream)
        params = {"per_page": size} | ({"cursor": cursor} if cursor else
                                       {"start_time": int(self.option("start_time", 0))})
        while True:
            _, response = client.get(f"/api/v2/incremental/{stream}/cursor.json", params=params, parse=False)
            body, records = read(response)
            yield response, body, records
            if body.get("end_of_stream") or not body.get("after_cursor"):
                return
            params = {"per_page": size, "cursor": body["after_cursor"]}

    def _tickets(self, client: ApiClient, size: int) -> Iterator[Chunk]:
        for response, body, frame in self._cursor_pages(client, "tickets", size,
                                                        lambda r: _tickets_page(r, client)):
            if frame.height and self.groups:
                frame = frame.with_columns(pl.col("assigned_group").replace(self.groups))
            chunk = Chunk(payloads=[page_payload("tickets_page", response)])
            if frame.height:
                chunk.frames["requests"] = frame.filter(pl.col("status") != "deleted").drop("_deleted_at")
                deleted = frame.filter(pl.col("status") == "deleted").select("request_id", "_deleted_at")
                chunk.deletions = [("requests", i, utc_naive(at)) for i, at in deleted.iter_rows()]
            if body.get("after_cursor"):
                chunk.cursors["tickets"] = body["after_cursor"]
            yield chunk

    def _events(self, client: ApiClient, size: int) -> Iterator[Chunk]:
        start = int(self.cursors.get("ticket_events") or self.option("start_time", 0))
        while True:
            body, response = client.get("/api/v2/incremental/ticket_events.json",
                                 params={"start_time": start, "per_page": size, "include": "comment_events"})
            events = body.get("ticket_events")
            if not isinstance(events, list):
                raise ConnectorError("zendesk: a ticket_events page without a ticket_events list")
            rows = []
            for e in events:
                for i, child in enumerate(e.get("child_events") or []):
                    row = {"event_id": f"{e['id']}:{i}", "request_id": str(e["ticket_id"]),
                           "occurred_at": e.get("created_at"), "actor_id": str(e.get("updater_id") or "") or None,
                           "is_public": False}
                    if "status" in child:
                        rows.append(row | {"event_type": "status_change",
                                           "from_value": STATUS_MAP.get(str(child.get("previous_value")), None),
                                           "to_value": STATUS_MAP.get(str(child["status"]), "unknown")})
                    elif "group_id" in child:
                        old, new = _str(child.get("previous_value")), _str(child["group_id"])
                        rows.append(row | {"event_type": "assignment_change",
                                           "from_value": self.groups.get(old, old) if old else None,
                                           "to_value": self.groups.get(new, new) if new else None})
                    elif child.get("event_type") == "Comment":
                        rows.append(row | {"event_type": "comment", "is_public": bool(child.get("public"))})
            chunk = Chunk(payloads=[page_payload("ticket_events_page", response)])
            chunk.add("request_events", rows)
            end_time = int(body.get("end_time") or start)
            chunk.cursors["ticket_events"] = str(end_time)
            yield chunk
            if body.get("end_of_stream") or not events or end_time == start and len(events) < size:
                return
            start = end_time

    def _ratings(self, client: ApiClient) -> Iterator[Chunk]:
        since = int(self.cursors.get("satisfaction_ratings") or self.option("start_time", 0))
        params: dict | None = {"start_time": since, "page[size]": 100}
        url = "/api/v2/satisfaction_ratings"
        while url:
            body, response = client.get(url, params=params)
            ratings = body.get("satisfaction_ratings")
            if not isinstance(ratings, list):
                raise ConnectorError("zendesk: a satisfaction_ratings page without a list")
            scored = [r for r in ratings if r.get("score") in ("good", "bad")]
            chunk = Chunk(payloads=[page_payload("satisfaction_ratings_page", response)])
            chunk.add("surveys", [{"survey_id": str(r["id"]), "request_id": str(r["ticket_id"]),
                                   "csat_score": 5 if r["score"] == "good" else 1, "answered_at": r.get("updated_at")}
                                  for r in scored])
            if ratings:
                chunk.cursors["satisfaction_ratings"] = str(max(int(utc_naive(r["updated_at"]).timestamp())
                                                                for r in ratings))
            yield chunk
            url = (body.get("links") or {}).get("next") if (body.get("meta") or {}).get("has_more") else None
            params = None


def _str(value) -> str | None:
    return None if value in (None, "") else str(value)


