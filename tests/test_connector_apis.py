"""Zendesk, Jira Service Management and ServiceDesk Plus connectors against a local server speaking their APIs."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from connectors.framework import ConnectorError, run_connector
from connectors.jira import JiraServiceManagementConnector
from connectors.sdp import ServiceDeskPlusConnector
from connectors.zendesk import ZendeskConnector
from tests.fake_saas import FakeSaaS


def _zd_ticket(n: int, updated: str, status: str = "open", **extra) -> dict:
    return {"id": n, "subject": f"Printer jam {n}", "status": status, "priority": "high", "type": "incident",
            "via": {"channel": "email"}, "requester_id": 900 + n, "group_id": 55, "assignee_id": None,
            "created_at": "2026-04-01T08:00:00Z", "updated_at": updated, "tags": ["printer"], **extra}


def _jira_issue(n: int, updated: str, status: str = "Waiting for support", breached: bool = False) -> dict:
    return {"key": f"HELP-{n}", "fields": {
        "summary": f"Need access to Confluence {n}", "created": "2026-05-04T09:00:00.000+0800",
        "updated": updated, "resolutiondate": None,
        "status": {"name": status, "statusCategory": {"key": "indeterminate"}},
        "priority": {"name": "High"}, "reporter": {"accountId": "acc-1"}, "assignee": None,
        "customfield_10010": {"requestType": {"name": "Get access"}},
        "customfield_10030": {"completedCycles": [{"breached": breached}]},
        "customfield_10040": {"rating": 4}},
        "changelog": {"histories": [{"id": f"{n}01", "created": "2026-05-04T10:00:00.000+0800",
                                     "author": {"accountId": "agent-2"},
                                     "items": [{"field": "status", "fromString": "Open",
                                                "toString": "Waiting for support"}]}]}}


def _sdp_request(n: int, updated_ms: int, status: str = "Open") -> dict:
    return {"id": str(n), "subject": f"Install Visio {n}", "status": {"name": status},
            "priority": {"name": "Medium"}, "mode": {"name": "Web Form"}, "category": {"name": "Software"},
            "group": {"name": "Desktop"}, "technician": {"id": "77"}, "requester": {"id": "5"},
            "created_time": {"value": "1775000000000"}, "responded_time": {"value": "1775000600000"},
            "last_updated_time": {"value": str(updated_ms)}, "is_overdue": False}


@pytest.fixture()
def fake(monkeypatch):
    server = FakeSaaS()
    server.zendesk["tickets"] = [_zd_ticket(n, f"2026-04-0{n}T09:00:00Z") for n in range(1, 6)]
    server.zendesk["ticket_events"] = [
        {"id": 7001, "ticket_id": 1, "created_at": "2026-04-01T08:30:00Z", "updater_id": 31,
         "child_events": [{"status": "open", "previous_value": "new"}, {"group_id": 56, "previous_value": 55},
                          {"event_type": "Comment", "public": True}]}]
    server.zendesk["groups"] = [{"id": 55, "name": "IT Helpdesk"}, {"id": 56, "name": "Network"}]
    server.zendesk["users"] = [
        {"id": 901, "role": "end-user", "organization_id": 3, "updated_at": "2026-03-01T00:00:00Z"},
        {"id": 902, "role": "end-user", "organization_id": None, "updated_at": "2026-03-01T00:00:00Z"},
        {"id": 31, "role": "agent", "default_group_id": 56, "updated_at": "2026-03-02T00:00:00Z"}]
    server.zendesk["satisfaction_ratings"] = [
        {"id": 8001, "ticket_id": 1, "score": "good", "updated_at": "2026-04-02T08:00:00Z"},
        {"id": 8002, "ticket_id": 2, "score": "bad", "updated_at": "2026-04-02T09:00:00Z"},
        {"id": 8003, "ticket_id": 3, "score": "offered", "updated_at": "2026-04-02T09:30:00Z"}]
    server.jira = [_jira_issue(n, f"2026-05-0{n}T11:00:00.000+0800", breached=(n == 2)) for n in range(4, 8)]
    server.sdp = [_sdp_request(n, 1775000000000 + n * 1000) for n in range(1, 8)]
    server.sdp_details["1"] = {
        "tasks": [{"id": "t1", "title": "Install", "owner": {"id": "77"}, "group": {"name": "Desktop"},
                   "created_time": {"value": "1775000100000"}, "actual_end_time": {"value": "1775003700000"}}],
        "worklogs": [{"id": "w1", "owner": {"id": "77"}, "task": {"id": "t1"}, "time_spent": {"hours": "0",
                      "minutes": "45"}, "start_time": {"value": "1775000100000"},
                      "end_time": {"value": "1775002800000"}},
                     {"id": "w2", "owner": {"id": "78"}, "time_spent": {"hours": "1", "minutes": "0"},
                      "start_time": {"value": "1775004000000"}, "end_time": {"value": "1775007600000"}}],
        "approval_levels": [{"id": "L1", "level": 1}],
        "approvals": {"L1": [{"id": "a1", "approver": {"id": "9"}, "status": {"name": "Approved"},
                              "sent_on": {"value": "1775000050000"}, "action_taken_on": {"value": "1775000090000"}}]}}
    url = server.start()
    monkeypatch.setenv("ESM_TEST_TOKEN", server.token)
    yield server, url
    server.stop()


CONNECTORS = {
    "zendesk": (ZendeskConnector, "/api/v2/incremental/tickets", {"page_size": 2}),
    "jira": (JiraServiceManagementConnector, "/rest/api/3/search/jql", {"page_size": 2}),
    "sdp": (ServiceDeskPlusConnector, "/api/v3/requests", {"page_size": 3}),
}


def _run(con, name: str, url: str, **extra):
    cls, _, opts = CONNECTORS[name]
    return run_connector(con, cls, name, {"url": url, "token_env": "ESM_TEST_TOKEN", "backoff": 0.01, **opts,
                                          **extra})


def _rows(con, sql: str) -> list:
    return con.execute(sql).fetchall()


def test_zendesk_tickets_events_ratings_and_deletions(fake, tmp_path):
    server, url = fake
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = _run(con, "zendesk", url)
    assert run.totals()["requests"]["loaded"] == 5
    assert len([r for r in server.requests if r.startswith("/api/v2/incremental/tickets")]) == 3  # 2+2+1
    assert _rows(con, "select request_id, channel, priority, status, assigned_group from raw.requests "
                      "where request_id = '1'") == [("1", "email", "P2", "in_progress", "IT Helpdesk")]
    # group ids read as the groups' names, in tickets and in their events
    assert sorted(_rows(con, "select event_type, from_value, to_value from raw.request_events")) == [
        ("assignment_change", "IT Helpdesk", "Network"), ("comment", None, None),
        ("status_change", "new", "in_progress")]
    assert _rows(con, "select requester_id, org_unit from raw.requesters order by 1") == [("901", "3"), ("902", None)]
    assert _rows(con, "select agent_id, department, assigned_group from raw.agents") == [("31", "IT", "Network")]
    # 'offered' is not an answer: only good (5) and bad (1) become survey answers
    assert sorted(_rows(con, "select request_id, csat_score from raw.surveys")) == [("1", 5), ("2", 1)]
    # ticket 2 is deleted upstream and ticket 5 changes: the next run reads from the cursor only
    server.zendesk["tickets"][1] = _zd_ticket(2, "2026-04-09T09:00:00Z", status="deleted")
    server.zendesk["tickets"][4] = _zd_ticket(5, "2026-04-09T10:00:00Z", status="solved")
    server.requests.clear()
    run = _run(con, "zendesk", url)
    assert run.deletions == 1 and run.totals()["requests"]["loaded"] == 1
    first = [r for r in server.requests if r.startswith("/api/v2/incremental/tickets")][0]
    assert "cursor=1775379600-5" in first and "start_time" not in first
    assert _rows(con, "select entity, record_id from raw._deletions") == [("requests", "2")]


def test_jira_changelog_request_type_sla_and_satisfaction(fake, tmp_path):
    server, url = fake
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = _run(con, "jira", url)
    assert run.totals()["requests"]["loaded"] == 4
    assert _rows(con, "select source_category, priority, status, source_sla_met from raw.requests "
                      "where request_id = 'HELP-5'") == [("Get access", "P2", "in_progress", True)]
    # the opened time keeps its +08:00 offset: 09:00 in Shanghai is 01:00 UTC
    assert _rows(con, "select opened_at from raw.requests where request_id = 'HELP-4'")[0][0].hour == 1
    assert _rows(con, "select count(*) from raw.request_events where to_value = 'in_progress'")[0][0] == 4
    assert _rows(con, "select count(*) from raw.surveys where csat_score = 4")[0][0] == 4
    server.jira[0] = _jira_issue(4, "2026-05-09T12:00:00.000+0800", status="Resolved")
    server.requests.clear()
    run = _run(con, "jira", url)
    assert run.totals()["requests"]["loaded"] == 1
    assert 'updated+%3E%3D+%222026%2F05%2F07+11%3A00%22' in server.requests[0]


def test_sdp_pages_with_list_info_and_resumes_from_last_updated_time(fake, tmp_path):
    server, url = fake
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = _run(con, "sdp", url)
    assert run.totals()["requests"]["loaded"] == 7
    assert len([r for r in server.requests if r.startswith("/api/v3/requests?")]) == 3  # 3 + 3 + 1
    assert _rows(con, "select channel, priority, status, source_category, source_sla_met, "
                      "first_response_at - opened_at from raw.requests where request_id = '1'")[0][:5] == \
        ("portal", "P3", "in_progress", "Software", True)
    assert _rows(con, "select step, effort_minutes, completed_at - created_at from raw.tasks order by seq") == [
        ("Install", 45.0, timedelta(hours=1)), ("request work", 60.0, timedelta(hours=1))]
    assert _rows(con, "select level, decision, approver_id from raw.approvals") == [(1, "approved", "9")]
    server.sdp[6] = _sdp_request(7, 1775000099000, status="Resolved")
    run = _run(con, "sdp", url)
    assert run.totals()["requests"]["loaded"] == 1


@pytest.mark.parametrize("name", list(CONNECTORS))
def test_retries_429_and_5xx_then_lands_everything(fake, tmp_path, name):
    server, url = fake
    _, path, _ = CONNECTORS[name]
    server.faults[path] = [(429, "0"), (502,), (500,)]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = _run(con, name, url)
    assert run.totals()["requests"]["loaded"] >= 4
    assert not server.faults[path]  # every fault was played and survived


@pytest.mark.parametrize("name", list(CONNECTORS))
def test_refused_token_and_malformed_page(fake, tmp_path, name, monkeypatch):
    server, url = fake
    _, path, _ = CONNECTORS[name]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("ESM_TEST_TOKEN", "expired")
    with pytest.raises(ConnectorError, match="refused the credentials") as err:
        _run(con, name, url)
    assert "expired" not in str(err.value)
    monkeypatch.setenv("ESM_TEST_TOKEN", server.token)
    server.faults[path] = [("malformed",)]
    with pytest.raises(ConnectorError, match="malformed page"):
        _run(con, name, url)
    run = _run(con, name, url)  # the next run goes through
    assert run.totals()["requests"]["loaded"] >= 4


def _fivetran_zendesk_db(path, deleted: bool = False) -> None:
    """A database in Fivetran's documented Zendesk schema (column names as Fivetran syncs them)."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists zendesk")
    con.execute("""create or replace table zendesk.ticket as select * from (values
        (11, timestamp '2026-04-01 08:00', timestamp '2026-04-01 12:00', 'solved', 'urgent', 'incident',
         'Wi-Fi down on 5F', 501, 61, 71, 'web', false, timestamp '2026-04-01 12:05'),
        (12, timestamp '2026-04-02 08:00', timestamp '2026-04-02 09:00', 'open', 'low', 'question',
         'How do I claim an expense', 502, null, null, 'email', false, timestamp '2026-04-02 09:05'),
        (13, timestamp '2026-04-02 10:00', timestamp '2026-04-03 09:00', 'open', 'normal', null,
         'spam', 503, null, null, 'email', ?, timestamp '2026-04-03 09:05'))
        t(id, created_at, updated_at, status, priority, type, subject, requester_id, assignee_id, group_id,
          via_channel, _fivetran_deleted, _fivetran_synced)""", [deleted])
    con.execute("""create or replace table zendesk.ticket_field_history as select * from (values
        (11, 'status', timestamp '2026-04-01 08:00', 'new', 9, timestamp '2026-04-01 12:05'),
        (11, 'status', timestamp '2026-04-01 09:00', 'open', 61, timestamp '2026-04-01 12:05'),
        (11, 'status', timestamp '2026-04-01 12:00', 'solved', 61, timestamp '2026-04-01 12:05'),
        (11, 'group_id', timestamp '2026-04-01 08:30', '70', 9, timestamp '2026-04-01 12:05'),
        (11, 'group_id', timestamp '2026-04-01 08:45', '71', 9, timestamp '2026-04-01 12:05'))
        t(ticket_id, field_name, updated, value, user_id, _fivetran_synced)""")
    con.execute("""create or replace table zendesk.ticket_comment as select * from (values
        (1, 11, 501, timestamp '2026-04-01 08:00', true, 'no wifi', timestamp '2026-04-01 12:05'),
        (2, 11, 61, timestamp '2026-04-01 08:40', true, 'on it', timestamp '2026-04-01 12:05'))
        t(id, ticket_id, user_id, created, public, body, _fivetran_synced)""")
    con.execute("""create or replace table zendesk.user as select * from (values
        (501, 'Wang Lei', 'end-user', 9001, timestamp '2026-03-01'), (61, 'Agent Zhou', 'agent', null,
         timestamp '2026-03-01')) t(id, name, role, organization_id, _fivetran_synced)""")
    con.execute("""create or replace table zendesk.satisfaction_rating as select * from (values
        (801, 11, 'good', timestamp '2026-04-02 08:00', timestamp '2026-04-02 08:05'))
        t(id, ticket_id, score, updated_at, _fivetran_synced)""")
    con.execute("""create or replace table zendesk.schedule as select * from (values
        (360001, 'Shanghai office', 'Beijing', 540, 1080, timestamp '2026-03-01'))
        t(id, name, time_zone, start_time, end_time, _fivetran_synced)""")
    con.close()


def test_zendesk_from_a_fivetran_schema(tmp_path):
    from connectors.zendesk_fivetran import ZendeskFivetranConnector

    db = tmp_path / "fivetran.duckdb"
    _fivetran_zendesk_db(db)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = run_connector(con, ZendeskFivetranConnector, "zendesk_fivetran", {"database": str(db)})
    totals = run.totals()
    assert totals["requests"]["loaded"] == 3 and totals["surveys"]["loaded"] == 1
    assert totals["requesters"]["loaded"] == 1  # end users only
    assert _rows(con, "select channel, priority, status from raw.requests where request_id = '11'") == \
        [("portal", "P1", "resolved")]
    assert _rows(con, "select event_type, from_value, to_value from raw.request_events "
                      "where request_id = '11' and event_type != 'comment' order by event_type, occurred_at") == [
        ("assignment_change", None, "70"), ("assignment_change", "70", "71"),
        ("status_change", None, "new"), ("status_change", "new", "in_progress"),
        ("status_change", "in_progress", "resolved")]
    assert _rows(con, "select count(*) from raw.request_events where event_type = 'comment'") == [(2,)]
    assert _rows(con, "select count(*) from raw._payloads where object_type = 'schedule'") == [(1,)]
    # Fivetran marks ticket 13 deleted at the next sync: only what changed is read, and the deletion is kept
    _fivetran_zendesk_db(db, deleted=True)
    run = run_connector(con, ZendeskFivetranConnector, "zendesk_fivetran", {"database": str(db)})
    assert run.deletions == 1
    assert _rows(con, "select record_id from raw._deletions") == [("13",)]
