"""Many doors, one warehouse: Jira and Zendesk from their APIs (local server), Slack, WeCom, Feishu and DingTalk
exports, built together. A chat that became a Jira ticket is counted once with the chat as first contact;
chat requests get their first responses and catalog items; a ticket deleted upstream leaves the marts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from connectors.chat import ChatConnector
from connectors.framework import run_connector
from connectors.jira import JiraServiceManagementConnector
from connectors.zendesk import ZendeskConnector
from esm.cli import main
from tests.conftest import esm_home
from tests.fake_saas import FakeSaaS
from tests.test_connector_apis import _jira_issue, _zd_ticket

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    server = FakeSaaS()
    server.jira = [_jira_issue(n, f"2026-05-0{n}T11:00:00.000+0800") for n in range(4, 6)]
    server.jira[0]["fields"]["reporter"] = {"accountId": "U1"}  # the same person as in Slack (one directory)
    server.zendesk["tickets"] = [_zd_ticket(n, f"2026-04-0{n}T09:00:00Z") for n in range(1, 4)]
    server.zendesk["ticket_events"] = [
        {"id": 7001, "ticket_id": 2, "created_at": "2026-04-01T08:30:00Z", "updater_id": 31,
         "child_events": [{"event_type": "Comment", "public": True}]}]
    url = server.start()
    home = tmp_path_factory.mktemp("doors")
    api = {"url": url, "backoff": 0.01, "token_env": "ESM_TEST_TOKEN"}
    import os

    os.environ["ESM_TEST_TOKEN"] = server.token
    try:
        with esm_home(home) as p:
            con = duckdb.connect(str(p.warehouse))
            run_connector(con, JiraServiceManagementConnector, "jira", api)
            run_connector(con, ZendeskConnector, "zendesk", api)
            server.zendesk["tickets"][1] = _zd_ticket(2, "2026-04-09T09:00:00Z", status="deleted")
            run_connector(con, ZendeskConnector, "zendesk", api)
            run_connector(con, ChatConnector, "slack", {"platform": "slack", "file": str(DATA / "slack"),
                                                        "channels": "it-help"})
            run_connector(con, ChatConnector, "wecom", {"platform": "wecom", "file": str(DATA / "wecom_sync_msg.json")})
            run_connector(con, ChatConnector, "feishu", {"platform": "feishu",
                                                         "file": str(DATA / "feishu_tickets.json")})
            run_connector(con, ChatConnector, "dingtalk", {"platform": "dingtalk",
                                                           "file": str(DATA / "dingtalk_conversations.jsonl")})
            con.close()
            assert main(["build"]) == 0
            pub = duckdb.connect(str(p.published), read_only=True)
            work = duckdb.connect(str(p.warehouse), read_only=True)
            links = work.execute("select member_id, root_id from intermediate.int_requests__door_links").fetchall()
            work.close()
            yield pub, p, {"links": links}
            pub.close()
    finally:
        server.stop()
        os.environ.pop("ESM_TEST_TOKEN", None)


def _one(con, sql: str):
    return con.execute(sql).fetchone()


def test_chat_that_became_a_jira_ticket_is_one_request(published):
    con, _, work = published
    row = _one(con, """select door_count, channel, first_contact_source_system, opened_at::varchar,
                              first_response_at::varchar, service_id
                       from marts.fct_requests where request_id = 'jira:HELP-4'""")
    # Slack ts keep their microseconds
    assert row == (2, "slack", "slack", "2026-05-04 00:00:00.0001", "2026-05-04 00:10:00.0002", "GEN-IT-ACCESS")
    assert work["links"] == [("slack:it-help:1777852800.000100", "jira:HELP-4")]
    # the thread's messages are HELP-4's events now: Mei's "works, thanks" in Slack is a requester follow-up
    assert _one(con, "select has_requester_followup, is_first_contact_resolution from marts.fct_requests "
                     "where request_id = 'jira:HELP-4'") == (True, False)
    # the Slack thread itself is gone from the marts; the other Slack question and no #random chatter remain
    slack = con.execute("select subject_count from (select count(*) as subject_count from marts.fct_requests "
                        "where source_system = 'slack')").fetchone()
    assert slack == (1,)


def test_chat_conversations_become_requests_with_channel_response_and_service(published):
    con, _, _ = published
    rows = con.execute("""select source_system, channel, first_response_minutes, service_id
                          from marts.fct_requests where source_system in ('wecom', 'feishu', 'dingtalk')
                          order by source_system, opened_at""").fetchall()
    assert rows == [
        ("dingtalk", "dingtalk", 20.0, "GEN-FIN-INQUIRY"),
        ("feishu", "feishu", 30.0, "GEN-FAC-REQUEST"),
        ("wecom", "wecom", 10.0, "OTHER"),          # 年假余额: no rule matches, counted as Other
        ("wecom", "wecom", None, "GEN-HR-INQUIRY"),  # two days of silence: a new conversation
    ]
    feishu = _one(con, "select status, lead_time_minutes from marts.fct_requests where source_system = 'feishu'")
    assert feishu == ("closed", 120.0)


def test_deleted_ticket_and_its_children_leave_the_marts(published):
    con, _, _ = published
    assert con.execute("select source_request_id from marts.fct_requests where source_system = 'zendesk' "
                       "order by 1").fetchall() == [("1",), ("3",)]


def test_status_accounts_for_every_source(published):
    _, p, _ = published
    from esm.status import warehouse_status

    status = json.loads(json.dumps(warehouse_status(p.published), default=str))
    for source in ("jira", "zendesk", "slack", "wecom", "feishu", "dingtalk"):
        s = status["sources"][source]
        assert s["records_in"] == s["loaded"] + s["quarantined"] + s["duplicates_dropped"], source
        run = s["last_run"]
        assert run["records_in"] == run["loaded"] + run["quarantined"] + run["duplicates_dropped"], source
    assert status["sources"]["zendesk"]["deletions"] == 1
    assert {"tickets", "ticket_events"} <= set(status["sources"]["zendesk"]["cursors"])
    assert "issues" in status["sources"]["jira"]["cursors"]
