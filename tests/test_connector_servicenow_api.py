"""ServiceNow Table API connector against a local server speaking the Table API: paging, incremental
cursors, retries on 429 and 5xx, a clear error on 401, and a malformed page that loses nothing."""

from __future__ import annotations

import duckdb
import pytest

from connectors.framework import ConnectorError, run_connector
from connectors.servicenow import ServiceNowConnector
from tests.fake_saas import FakeSaaS


def _incident(n: int, updated: str, state: str = "2", group: str = "grp-net") -> dict:
    return {"sys_id": f"inc{n}", "number": f"INC{n:07d}", "state": state, "priority": "2", "urgency": "2",
            "impact": "2", "caller_id": {"link": "x", "value": "usr1"}, "assignment_group": group,
            "assigned_to": "", "opened_at": "2026-03-02 01:00:00", "resolved_at": "", "closed_at": "",
            "sys_updated_on": updated, "contact_type": "email", "category": "network",
            "short_description": f"VPN drops {n}", "made_sla": "true"}


@pytest.fixture()
def fake():
    server = FakeSaaS()
    server.servicenow["sys_user_group"] = [{"sys_id": "grp-net", "name": "Network",
                                            "sys_updated_on": "2026-01-01 00:00:00"}]
    server.servicenow["task_sla"] = [{"sys_id": "sla1", "task": "inc2", "sla": "sla-p2-resolution",
                                      "stage": "completed", "has_breached": "true",
                                      "end_time": "2026-03-03 01:00:00", "sys_updated_on": "2026-03-03 01:00:00"},
                                     {"sys_id": "sla2", "task": "inc3", "sla": "sla-p2-resolution",
                                      "stage": "completed", "has_breached": "false",
                                      "end_time": "2026-03-02 09:00:00", "sys_updated_on": "2026-03-02 09:00:00"}]
    server.servicenow["sys_user"] = [{"sys_id": "usr1", "department": "d1", "location": "SH", "title": "engineer",
                                     "sys_updated_on": "2026-01-01 00:00:00"}]
    server.servicenow["incident"] = [_incident(n, f"2026-03-02 0{n}:00:00") for n in range(1, 6)]
    server.servicenow["sc_req_item"] = [{"sys_id": "ritm1", "number": "RITM0000001", "state": "1", "priority": "4",
                                         "requested_for": "usr1", "opened_at": "2026-03-03 02:00:00",
                                         "sys_updated_on": "2026-03-03 02:00:00", "cat_item": "laptop",
                                         "short_description": "New laptop"}]
    server.servicenow["sc_task"] = [{"sys_id": "t1", "number": "SCTASK0000001", "request_item": "ritm1",
                                     "short_description": "Ship laptop", "assignment_group": "grp-fac",
                                     "opened_at": "2026-03-03 03:00:00", "closed_at": "",
                                     "sys_updated_on": "2026-03-03 03:00:00"},
                                    {"sys_id": "t2", "number": "SCTASK0000002", "request_item": "ritm-unknown",
                                     "opened_at": "2026-03-03 03:00:00", "sys_updated_on": "2026-03-03 03:00:01"}]
    server.servicenow["sysapproval_approver"] = [{"sys_id": "ap1", "sysapproval": "ritm1", "approver": "usr9",
                                                  "state": "approved", "sys_created_on": "2026-03-03 02:10:00",
                                                  "sys_updated_on": "2026-03-03 02:30:00"}]
    server.servicenow["sys_audit"] = [
        {"sys_id": "au1", "tablename": "incident", "documentkey": "inc1", "fieldname": "state", "oldvalue": "1",
         "newvalue": "2", "user": "agent7", "sys_created_on": "2026-03-02 01:20:00",
         "sys_updated_on": "2026-03-02 01:20:00"},
        {"sys_id": "au2", "tablename": "incident", "documentkey": "inc1", "fieldname": "assignment_group",
         "oldvalue": "grp-sd", "newvalue": "grp-net", "user": "agent7", "sys_created_on": "2026-03-02 01:25:00",
         "sys_updated_on": "2026-03-02 01:25:00"},
        {"sys_id": "au3", "tablename": "change_request", "documentkey": "chg1", "fieldname": "state",
         "oldvalue": "1", "newvalue": "2", "sys_created_on": "2026-03-02 01:25:00",
         "sys_updated_on": "2026-03-02 01:25:00"}]
    url = server.start()
    yield server, url
    server.stop()


def _options(url: str, **extra) -> dict:
    return {"url": url, "user_env": "SN_USER", "password_env": "SN_PASSWORD", "page_size": 2, "backoff": 0.01,
            **extra}


@pytest.fixture()
def creds(monkeypatch):
    monkeypatch.setenv("SN_USER", "svc_esm")
    monkeypatch.setenv("SN_PASSWORD", "s3cret")


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def test_pages_every_table_and_maps_children_to_their_request(fake, creds, tmp_path):
    server, url = fake
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = run_connector(con, ServiceNowConnector, "servicenow", _options(url))
    totals = run.totals()
    assert totals["requests"]["loaded"] == 6
    assert totals["requesters"]["loaded"] == 1
    # 5 incidents at 2 a page: three pages, offsets 0, 2, 4
    incident_pages = [r for r in server.requests if r.startswith("/api/now/table/incident?")]
    assert len(incident_pages) == 3 and "sysparm_offset=4" in incident_pages[-1]
    assert con.execute("select request_id from raw.tasks").fetchall() == [("RITM0000001",)]
    # the task whose parent never arrived is kept in quarantine, with its reason, not lost
    assert con.execute("select reason from raw._quarantine where entity = 'tasks'").fetchall() == \
        [("unknown request_id",)]
    assert con.execute("select request_id, decision from raw.approvals").fetchall() == [("RITM0000001", "approved")]
    events = con.execute("select request_id, event_type, from_value, to_value from raw.request_events "
                         "where event_type != 'source_sla' order by occurred_at").fetchall()
    # group sys_ids read as names where sys_user_group knows them
    assert events == [("INC0000001", "status_change", "new", "in_progress"),
                      ("INC0000001", "assignment_change", "grp-sd", "Network")]
    assert con.execute("select distinct assigned_group from raw.requests where request_id like 'INC%'").fetchall() \
        == [("Network",)]
    assert con.execute("select request_id, to_value from raw.request_events where event_type = 'source_sla' "
                       "order by 1").fetchall() == [("INC0000002", "breached"), ("INC0000003", "met")]
    # every page is kept as received; the records can be rebuilt from it
    assert _count(con, "select sum(json_array_length(payload->'result')) from raw._payloads "
                       "where object_type = 'incident_page'") == 5
    # in = loaded + quarantined + duplicates, per entity
    for n in totals.values():
        assert n["records_in"] == n["loaded"] + n["quarantined"] + n["duplicates"]


def test_second_run_reads_only_what_changed_and_latest_version_wins(fake, creds, tmp_path):
    server, url = fake
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run_connector(con, ServiceNowConnector, "servicenow", _options(url))
    server.requests.clear()
    server.servicenow["incident"][0] = _incident(1, "2026-03-04 09:00:00", state="6")
    run = run_connector(con, ServiceNowConnector, "servicenow", _options(url))
    assert run.totals()["requests"]["loaded"] == 1
    query = [r for r in server.requests if r.startswith("/api/now/table/incident?")][0]
    assert "sys_updated_on%3E%3D2026-03-02+05%3A00%3A00" in query  # from the cursor, not from the start
    # re-running with nothing changed lands nothing new
    again = run_connector(con, ServiceNowConnector, "servicenow", _options(url))
    assert all(n["loaded"] == 0 for n in again.totals().values())
    versions = con.execute("select status from raw.requests where request_id = 'INC0000001' "
                           "order by updated_at").fetchall()
    assert versions == [("in_progress",), ("resolved",)]


def test_retries_429_with_retry_after_and_5xx(fake, creds, tmp_path):
    server, url = fake
    server.faults["/api/now/table/incident"] = [(429, "0"), (503,), (500,)]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = run_connector(con, ServiceNowConnector, "servicenow", _options(url))
    assert run.totals()["requests"]["loaded"] == 6


def test_rate_limit_longer_than_max_wait_stops_with_a_clear_error(fake, creds, tmp_path):
    server, url = fake
    server.faults["/api/now/table/incident"] = [(429, "3600")]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(ConnectorError, match="asks to wait 3600 s"):
        run_connector(con, ServiceNowConnector, "servicenow", _options(url, max_wait=5))


def test_refused_credentials_are_a_clear_error_without_the_secret(fake, monkeypatch, tmp_path):
    _, url = fake
    monkeypatch.setenv("SN_USER", "svc_esm")
    monkeypatch.setenv("SN_PASSWORD", "wrong-password")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(ConnectorError, match="refused the credentials") as err:
        run_connector(con, ServiceNowConnector, "servicenow", _options(url))
    assert "wrong-password" not in str(err.value)


def test_missing_credential_variable_is_named(fake, monkeypatch, tmp_path):
    _, url = fake
    monkeypatch.delenv("SN_PASSWORD", raising=False)
    monkeypatch.setenv("SN_USER", "svc_esm")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(ConnectorError, match="SN_PASSWORD is not set"):
        run_connector(con, ServiceNowConnector, "servicenow", _options(url))


def test_malformed_page_stops_the_run_and_the_next_run_resumes_without_loss(fake, creds, tmp_path):
    server, url = fake
    # the second incident page is garbage: the first page is landed with its cursor, the rest is not
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run_connector(con, ServiceNowConnector, "servicenow", _options(url, tables="sys_user"))
    calls = {"n": 0}
    original = server._servicenow

    def flaky(h, table, q, base):
        if table == "incident" and q.get("sysparm_offset") == "2" and calls["n"] == 0:
            calls["n"] += 1
            return server._send(h, 200, b"<html>gateway timeout</html>")
        return original(h, table, q, base)

    server._servicenow = flaky
    with pytest.raises(ConnectorError, match="malformed page"):
        run_connector(con, ServiceNowConnector, "servicenow", _options(url, tables="incident"))
    assert _count(con, "select count(*) from raw.requests") == 2  # the first page, landed with its cursor
    run_connector(con, ServiceNowConnector, "servicenow", _options(url, tables="incident"))
    assert _count(con, "select count(distinct request_id) from raw.requests") == 5
    assert _count(con, "select count(*) from raw.requests") == 5
