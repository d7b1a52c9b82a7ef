"""Email: an IMAP mailbox (incremental by UID) or .eml / .mbox files.

A thread (Message-ID / In-Reply-To / References) becomes one request opened by its first message; messages
from the desk's own addresses are public agent comments (the first is the first response); the requester's
later messages are follow-ups. Reference numbers of other tools in a subject or body (INC0012345, HELP-12)
become request links, so a request that started as an email and was then logged elsewhere is counted once.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import imaplib
import mailbox
import re
from collections.abc import Iterable, Iterator
from datetime import UTC
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from connectors.framework import Chunk, Connector, ConnectorError, add_reference_links, lookup_ids

DEFAULT_LINK_PATTERNS = {"servicenow": r"\b(?:INC|RITM|REQ)\d{7}\b"}


def thread_key(message_id: str) -> str:
    return "mail-" + hashlib.sha1(message_id.encode()).hexdigest()[:16]


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^>]+>", value or "")


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html")) if msg.is_multipart() else msg
    try:
        return part.get_content() if part is not None else ""
    except (LookupError, KeyError):
        return ""


class EmailConnector(Connector):
    name = "email"
    title = "Email: IMAP mailbox (by UID) or .eml/.mbox files; threads become requests, desk replies responses"
    options_help = {"file": "an .mbox file, an .eml file or a folder of .eml files",
                    "host": "IMAP host", "port": "IMAP port (default 993, or 143 with ssl=false)",
                    "ssl": "true/false (default true)", "mailbox": "folder (default INBOX)",
                    "user_env": "variable holding the IMAP user", "password_env": "variable holding the password",
                    "desk_addresses": "comma-separated addresses of the desk (its replies are responses)",
                    "links": "source -> regex of that source's reference numbers (YAML mapping)"}

    def chunks(self) -> Iterator[Chunk]:
        self.desk = {a.strip().lower() for a in str(self.option("desk_addresses", "")).split(",") if a.strip()}
        self.links = self.option("links") or DEFAULT_LINK_PATTERNS
        if self.option("file"):
            yield from self._process(self._file_messages(Path(self.option("file"))), None)
        elif self.option("host"):
            yield from self._imap()
        else:
            raise ConnectorError("email: give --file (.eml/.mbox) or the IMAP host option")

    def _file_messages(self, path: Path) -> Iterable[tuple[str | None, EmailMessage]]:
        if not path.exists():
            raise ConnectorError(f"email: no such file or folder {path}")
        if path.is_dir():
            files = sorted(path.glob("*.eml"))
        elif path.suffix.lower() == ".mbox":
            for msg in mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(
                    f, policy=email.policy.default)):
                yield None, msg
            return
        else:
            files = [path]
        for f in files:
            yield None, email.message_from_bytes(f.read_bytes(), policy=email.policy.default)

    def _imap(self) -> Iterator[Chunk]:
        user, password = self.secret("user"), self.secret("password")
        if user is None or password is None:
            raise ConnectorError("email: set user_env and password_env for the IMAP mailbox")
        ssl = str(self.option("ssl", "true")).lower() == "true"
        host, port = self.option("host"), int(self.option("port", 993 if ssl else 143))
        try:
            client = imaplib.IMAP4_SSL(host, port) if ssl else imaplib.IMAP4(host, port)
        except OSError as exc:
            raise ConnectorError(f"email: cannot reach IMAP {host}:{port}: {exc}") from None
        try:
            try:
                client.login(user, password)
            except imaplib.IMAP4.error:
                raise ConnectorError(f"email: the IMAP server refused the login of {user}") from None
            folder = self.option("mailbox", "INBOX")
            status, data = client.select(folder, readonly=True)
            if status != "OK":
                raise ConnectorError(f"email: no mailbox {folder}")
            answer = client.response("UIDVALIDITY")[1]  # popped: read it once
            validity = answer[0].decode() if answer and answer[0] else "0"
            cursor = self.cursors.get(f"imap:{folder}", "")
            last_uid = int(cursor.split(":")[1]) if cursor.startswith(validity + ":") else 0
            _, found = client.uid("search", None, f"UID {last_uid + 1}:*")
            uids = [int(u) for u in found[0].split() if int(u) > last_uid]
            batch = int(self.option("batch", 500))
            for i in range(0, len(uids), batch):
                part = uids[i:i + batch]
                _, fetched = client.uid("fetch", ",".join(map(str, part)), "(UID RFC822)")
                messages = []
                for item in fetched:
                    if isinstance(item, tuple):
                        uid = re.search(rb"UID (\d+)", item[0]).group(1).decode()
                        messages.append((uid, email.message_from_bytes(item[1], policy=email.policy.default)))
                yield from self._process(messages, (f"imap:{folder}", f"{validity}:{max(part)}"))
        finally:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError):
                pass

    def _process(self, messages: Iterable[tuple[str | None, EmailMessage]],
                 cursor: tuple[str, str] | None) -> Iterator[Chunk]:
        items = []
        for uid, msg in messages:
            mid = (msg.get("Message-ID") or "").strip() or f"<uid-{uid}@local>"
            parents = _ids(msg.get("References")) or _ids(msg.get("In-Reply-To"))
            date = msg.get("Date")
            try:
                sent = parsedate_to_datetime(date).astimezone(UTC).replace(tzinfo=None) if date else None
            except (TypeError, ValueError):
                sent = None
            sender = (getaddresses([msg.get("From", "")]) or [("", "")])[0][1].lower()
            items.append((mid, parents, sent, sender, str(msg.get("Subject") or ""), _body(msg)))
        items.sort(key=lambda x: (x[2] is None, x[2] or 0))
        # thread roots: known from this batch, or from earlier runs through the id map
        known = lookup_ids(self.con, self.source_system, ("message",), {p for it in items for p in it[1][:1]})
        roots: dict[str, str] = {}
        chunk = Chunk()
        requests, events, links = [], [], {}
        for mid, parents, sent, sender, subject, body in items:
            first = parents[0] if parents else None
            root = roots.get(first) or known.get(first) if first else None
            is_desk = sender in self.desk
            if root is None:
                root = thread_key(mid)
                if not is_desk:
                    requests.append({"request_id": root, "requester_id": sender, "channel": "email",
                                     "priority": "P3", "status": "new", "opened_at": sent, "updated_at": sent,
                                     "timezone": "UTC", "subject": subject[:500]})
            roots[mid] = root
            chunk.id_map.append(("message", mid, root))
            if parents or is_desk:
                events.append({"event_id": hashlib.sha1(mid.encode()).hexdigest()[:20], "request_id": root,
                               "event_type": "comment", "occurred_at": sent, "actor_id": sender,
                               "is_public": True})
            add_reference_links(links, root, subject + "\n" + body, self.links, sent)
            chunk.payloads.append(("message", mid, {"message_id": mid, "from": sender, "subject": subject,
                                                    "date": str(sent), "references": parents,
                                                    "body": body[:20000]}))
        chunk.add("requests", requests)
        chunk.add("request_events", events)
        chunk.add("request_links", list(links.values()))
        if cursor:
            chunk.cursors[cursor[0]] = cursor[1]
        yield chunk
