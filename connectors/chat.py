"""Chat: Slack exports, Feishu/Lark helpdesk tickets and messages, WeCom (企业微信客服) and DingTalk service
conversations. A conversation in a service channel becomes a request with its channel recorded; the requester's
first message opens it, the first message by anyone else is the first response, every message after the first
is a public comment. Reference numbers of other tools in the text (HELP-12, INC0012345) become request links.

Inputs are the platforms' own export or API response shapes, saved as files:
- slack:    a workspace export folder (or zip): channels.json, users.json, <channel>/<date>.json
- feishu:   JSON of helpdesk `tickets` (GET /open-apis/helpdesk/v1/tickets) with each ticket's `messages`
- wecom:    JSON/JSONL of kf `sync_msg` responses (`msg_list`), or the messages themselves
- dingtalk: JSONL of service conversations: {conversation_id, customer_id, messages: [{sender_id, role, sent_at,
            text}]}
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.framework import Chunk, Connector, ConnectorError, add_reference_links, utc_naive

DEFAULT_LINK_PATTERNS = {"servicenow": r"\b(?:INC|RITM|REQ)\d{7}\b", "jira": r"\b[A-Z][A-Z0-9]+-\d+\b"}
CHANNEL = {"slack": "slack", "feishu": "feishu", "lark": "feishu", "wecom": "wecom", "dingtalk": "dingtalk"}
FEISHU_STATUS = {1: "in_progress", 2: "in_progress", 3: "resolved", 50: "closed", 51: "closed"}


@dataclass
class Message:
    conversation: str
    message_id: str
    sender: str
    is_customer: bool
    sent_at: datetime
    text: str


def _epoch(value: Any, millis: bool = False) -> datetime:
    seconds = float(value) / (1000 if millis else 1)
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _json_records(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


class ChatConnector(Connector):
    name = "chat"
    title = "Chat: Slack exports, Feishu/Lark helpdesk, WeCom and DingTalk service conversations"
    options_help = {"platform": "slack, feishu, wecom or dingtalk", "file": "the export (file, folder or zip)",
                    "channels": "slack: comma-separated service channels (default all)",
                    "session_gap_hours": "wecom/dingtalk: silence that starts a new conversation (default 24)",
                    "links": "source -> regex of that source's reference numbers"}

    def chunks(self) -> Iterator[Chunk]:
        platform = str(self.option("platform", required=True)).lower()
        if platform not in CHANNEL:
            raise ConnectorError(f"chat: platform must be one of {', '.join(CHANNEL)}")
        path = Path(self.option("file", required=True))
        if not path.exists():
            raise ConnectorError(f"chat: no such file or folder {path}")
        self.links = self.option("links") or DEFAULT_LINK_PATTERNS
        if platform == "feishu" or platform == "lark":
            yield self._feishu(path)
            return
        messages = {"slack": self._slack, "wecom": self._wecom, "dingtalk": self._dingtalk}[platform](path)
        yield self._conversations(messages, CHANNEL[platform], path.name)

    # ---- platform readers -------------------------------------------------------------------------------------
    def _slack(self, path: Path) -> list[Message]:
        if path.suffix.lower() == ".zip":
            from esm.settings import paths

            target = paths().home / "landing" / "unpacked" / path.stem
            with zipfile.ZipFile(path) as zf:
                zf.extractall(target)
            path = target
        if not (path / "channels.json").exists():
            raise ConnectorError(f"{path}: not a Slack export (no channels.json)")
        wanted = {c.strip().lstrip("#") for c in str(self.option("channels", "")).split(",") if c.strip()}
        channels = [c["name"] for c in json.loads((path / "channels.json").read_text())
                    if not wanted or c["name"] in wanted]
        out = []
        for channel in channels:
            for day in sorted((path / channel).glob("*.json")):
                for m in json.loads(day.read_text(encoding="utf-8")):
                    if m.get("type") != "message" or m.get("subtype") in ("channel_join", "channel_leave") \
                            or not m.get("user"):
                        continue
                    root = m.get("thread_ts") or m["ts"]
                    out.append(Message(f"{channel}:{root}", f"{channel}:{m['ts']}", m["user"],
                                       m["ts"] == root, _epoch(m["ts"]), m.get("text") or ""))
        # in a thread only the starter is the requester; everyone else answers
        starters = {m.conversation: m.sender for m in out if m.is_customer}
        for m in out:
            m.is_customer = starters.get(m.conversation) == m.sender
        return out

    def _wecom(self, path: Path) -> list[Message]:
        files = sorted(p for p in path.glob("*.json*")) if path.is_dir() else [path]
        raw = []
        for f in files:
            for record in _json_records(f):
                raw += record.get("msg_list", [record]) if isinstance(record, dict) else []
        out = []
        for m in raw:
            if m.get("origin") not in (3, 5):  # 3: customer, 5: servicer; 4 is a system event
                continue
            customer = m.get("external_userid") or ""
            text = (m.get("text") or {}).get("content", "") if isinstance(m.get("text"), dict) else ""
            out.append(Message(f"{m.get('open_kfid', '')}:{customer}", m["msgid"],
                               customer if m["origin"] == 3 else m.get("servicer_userid", "servicer"),
                               m["origin"] == 3, _epoch(m["send_time"]), text))
        return self._sessions(out)

    def _dingtalk(self, path: Path) -> list[Message]:
        files = sorted(p for p in path.glob("*.json*")) if path.is_dir() else [path]
        out = []
        for f in files:
            for conv in _json_records(f):
                for i, m in enumerate(conv.get("messages") or []):
                    sent = utc_naive(m["sent_at"])
                    out.append(Message(str(conv["conversation_id"]), f"{conv['conversation_id']}:{i}",
                                       str(m.get("sender_id")), m.get("role") == "customer", sent,
                                       m.get("text") or ""))
        return out

    def _sessions(self, messages: list[Message]) -> list[Message]:
        """A customer's messages to one service account form conversations split by a long silence."""
        gap = float(self.option("session_gap_hours", 24)) * 3600
        messages.sort(key=lambda m: (m.conversation, m.sent_at))
        last: dict[str, datetime] = {}
        session: dict[str, str] = {}
        for m in messages:
            prev = last.get(m.conversation)
            if prev is None or (m.sent_at - prev).total_seconds() > gap:
                session[m.conversation] = f"{m.conversation}:{int(m.sent_at.timestamp())}"
            last[m.conversation] = m.sent_at
            m.conversation = session[m.conversation]
        return messages

    # ---- conversations -> requests ---------------------------------------------------------------------------
    def _conversations(self, messages: list[Message], channel: str, label: str) -> Chunk:
        messages.sort(key=lambda m: (m.conversation, m.sent_at))
        chunk = Chunk(label=label)
        requests, events, links, seen = [], [], {}, set()
        for m in messages:
            request_id = m.conversation
            if request_id not in seen:
                seen.add(request_id)
                requests.append({"request_id": request_id, "requester_id": m.sender, "channel": channel,
                                 "priority": "P3", "status": "new", "opened_at": m.sent_at, "updated_at": m.sent_at,
                                 "timezone": "UTC", "subject": m.text[:200]})
            else:
                events.append({"event_id": m.message_id, "request_id": request_id, "event_type": "comment",
                               "occurred_at": m.sent_at, "actor_id": m.sender, "is_public": True})
            add_reference_links(links, request_id, m.text, self.links, m.sent_at)
            chunk.payloads.append(("message", m.message_id, m.__dict__))
        chunk.add("requests", requests)
        chunk.add("request_events", events)
        chunk.add("request_links", list(links.values()))
        return chunk

    def _feishu(self, path: Path) -> Chunk:
        tickets = []
        for record in _json_records(path):
            data = record.get("data", record) if isinstance(record, dict) else {}
            tickets += data.get("tickets", [data] if "ticket_id" in data else [])
        chunk = Chunk(label=path.name)
        requests, events, links = [], [], {}
        for t in tickets:
            tid = str(t["ticket_id"])
            guest = ((t.get("guest") or {}).get("id") or {}).get("open_id") or (t.get("guest") or {}).get("name")
            opened = _epoch(t["created_at"], millis=True)
            status = FEISHU_STATUS.get(int(t.get("status", 1)), "in_progress")
            solved_at = _epoch(t["closed_at"], millis=True) if t.get("closed_at") and status != "in_progress" \
                else None
            agent_msgs = [m for m in t.get("messages") or [] if int(m.get("user_type", 1)) == 2]
            first_reply = min((_epoch(m["created_at"], millis=True) for m in agent_msgs), default=None)
            requests.append({"request_id": tid, "requester_id": guest, "channel": "feishu", "priority": "P3",
                             "status": status, "opened_at": opened, "first_response_at": first_reply,
                             "resolved_at": solved_at, "closed_at": solved_at,
                             "updated_at": _epoch(t.get("updated_at") or t["created_at"], millis=True),
                             "timezone": "UTC", "subject": (t.get("description") or "")[:200],
                             "agent_id": ((t.get("agents") or [{}])[0] or {}).get("id"),
                             "source_category": t.get("category") or ((t.get("customized_fields") or [{}])[0]
                                                                       or {}).get("value")})
            for m in t.get("messages") or []:
                sent = _epoch(m["created_at"], millis=True)
                events.append({"event_id": str(m["id"]), "request_id": tid, "event_type": "comment",
                               "occurred_at": sent, "actor_id": m.get("user_id"), "is_public": True})
                add_reference_links(links, tid, m.get("content") or "", self.links, sent)
            add_reference_links(links, tid, t.get("description") or "", self.links, opened)
            chunk.payloads.append(("ticket", tid, t))
        chunk.add("requests", requests)
        chunk.add("request_events", events)
        chunk.add("request_links", list(links.values()))
        return chunk
