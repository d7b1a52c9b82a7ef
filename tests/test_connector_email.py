"""Email connector against a real IMAP server (dovecot on 127.0.0.1) and from .mbox/.eml files."""

from __future__ import annotations

import imaplib
import mailbox
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from connectors.framework import ConnectorError, run_connector
from connectors.mail import EmailConnector
from tests.imap_server import Dovecot

DATA = Path(__file__).parent / "data"
DESK = "it-desk@example.com"


@pytest.fixture(scope="module")
def imap():
    # not under pytest's tmp dir: dovecot's own users must reach the folder, and pytest's parent is 0700
    root = Path(tempfile.mkdtemp(prefix="esm-dovecot-"))
    server = Dovecot(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _append(server: Dovecot, messages: list[bytes]) -> None:
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(server.user, server.password)
    for raw in messages:
        assert client.append("INBOX", None, None, raw)[0] == "OK"
    client.logout()


def _mbox_messages() -> list[bytes]:
    return [m.as_bytes() for m in mailbox.mbox(DATA / "desk.mbox")]


def _options(server: Dovecot) -> dict:
    return {"host": "127.0.0.1", "port": server.port, "ssl": "false", "user_env": "DESK_IMAP_USER",
            "password_env": "DESK_IMAP_PASSWORD", "desk_addresses": DESK}


def test_imap_threads_become_requests_and_the_next_run_reads_only_new_mail(imap, tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_IMAP_USER", imap.user)
    monkeypatch.setenv("DESK_IMAP_PASSWORD", imap.password)
    messages = _mbox_messages()
    _append(imap, messages[:3])  # Alice's thread: question, desk reply quoting INC0000045, thanks
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = run_connector(con, EmailConnector, "email", _options(imap))
    assert run.totals()["requests"]["loaded"] == 1
    assert con.execute("select requester_id, channel, subject, opened_at::varchar from raw.requests").fetchall() == \
        [("alice@example.com", "email", "VPN keeps dropping", "2016-02-29 00:50:00")]
    comments = con.execute("select actor_id, occurred_at::varchar from raw.request_events order by 2").fetchall()
    assert comments == [(DESK, "2016-02-29 01:40:00"), ("alice@example.com", "2016-02-29 02:00:00")]
    assert con.execute("select linked_source_system, linked_request_id from raw.request_links").fetchall() == \
        [("servicenow", "INC0000045")]
    _append(imap, messages[3:])  # Bob writes later
    run = run_connector(con, EmailConnector, "email", _options(imap))
    assert run.totals()["requests"]["records_in"] == 1  # only the new message was fetched
    assert con.execute("select count(*) from raw.requests").fetchone() == (2,)
    again = run_connector(con, EmailConnector, "email", _options(imap))
    assert again.totals() == {}


def test_imap_refused_login_is_clear(imap, tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_IMAP_USER", imap.user)
    monkeypatch.setenv("DESK_IMAP_PASSWORD", "wrong")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(ConnectorError, match="refused the login"):
        run_connector(con, EmailConnector, "email", _options(imap))


def test_a_reply_in_a_later_file_joins_its_thread(tmp_path):
    messages = _mbox_messages()
    first, later = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    later.mkdir()
    (first / "1.eml").write_bytes(messages[0])
    (later / "2.eml").write_bytes(messages[1])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run_connector(con, EmailConnector, "email", {"file": str(first), "desk_addresses": DESK})
    run_connector(con, EmailConnector, "email", {"file": str(later), "desk_addresses": DESK})
    assert con.execute("select count(*) from raw.requests").fetchone() == (1,)
    assert con.execute("select e.request_id = r.request_id from raw.request_events e, raw.requests r").fetchall() \
        == [(True,)]
