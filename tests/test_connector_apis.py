"""Zendesk, Jira Service Management and ServiceDesk Plus connectors against a local server speaking their APIs."""

from __future__ import annotations

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
    server.zendesk["satisfaction_ratings"] = [
        {"id": 8001, "ticket_id": 1, "score": "good", "updated_at": "2026-04-02T08:00:00Z"},
        {"id": 8002, "ticket_id": 2, "score": "bad", "updated_at": "2026-04-02T09:00:00Z"},
        {"id": 8003, "ticket_id": 3, "score": "offered", "updated_at": "2026-04-02T09:30:00Z"}]
    server.jira = [_jira_issue(n, f"2026-05-0{n}T11:00:00.000+0800", breached=(n == 2)) for n in range(4, 8)]
    server.sdp = [_sdp_request(n, 1775000000000 + n * 1000) for n in range(1, 8)]
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
    assert _rows(con, "select request_id, channel, priority, status from raw.requests where request_id = '1'") == \
        [("1", "email", "P2", "in_progress")]
    assert sorted(_rows(con, "select event_type, from_value, to_value from raw.request_events")) == [
        ("assignment_change", "55", "56"), ("comment", None, None), ("status_change", "new", "in_progress")]
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
    assert len(server.requests) == 3  # 3 + 3 + 1
    assert _rows(con, "select channel, priority, status, source_category, source_sla_met, "
                      "first_response_at - opened_at from raw.requests where request_id = '1'")[0][:5] == \
        ("portal", "P3", "in_progress", "Software", True)
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
