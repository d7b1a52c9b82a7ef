"""Hand-built records through the real pipeline; every expected value below was computed by hand.

Company: Shanghai (cn_office: 09-12, 13-18, Chinese holidays) and Munich (de_by_office: 08-17, DST).
SLA policy (config/sla_policies.yml): P1 480 calendar min; P2 600, P3 900, P4 1500 business min.
"""

from datetime import datetime as dt

import duckdb
import polars as pl
import pytest

from simulator.generate import simulate

SCHEMAS = {k: v.schema for k, v in simulate(300, 1).tables.items()}


def frame(entity: str, rows: list[dict]) -> pl.DataFrame:
    schema = SCHEMAS[entity]
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row")


def request(rid, requester, priority, opened, first=None, resolved=None, tz="Asia/Shanghai", status="resolved"):
    """Request header: local times, as the portal exports them."""
    return dict(request_id=rid, source_system="esm_portal", requester_id=requester, service_id="IT-01",
                channel="portal", priority=priority, urgency=2, impact=2, status=status,
                resolution_code="fulfilled", assigned_group="IT-SHA", agent_id="A1", opened_at=opened,
                first_response_at=first, resolved_at=resolved, updated_at=resolved or first or opened, timezone=tz)


def ev(eid, rid, etype, at, to=None, frm=None, actor="A1", public=None):
    return dict(event_id=eid, request_id=rid, event_type=etype, occurred_at=at, to_value=to, from_value=frm,
                actor_id=actor, is_public=public)


def task(tid, rid, done, effort, automated=False):
    return dict(task_id=tid, request_id=rid, step="fulfil", department="IT", assigned_group="IT-SHA",
                agent_id=None if automated else "A1", seq=1, created_at=done.replace(hour=0), completed_at=done,
                status="done", is_automated=automated, effort_minutes=0.0 if automated else effort)


def golden_tables() -> dict[str, pl.DataFrame]:
    return {
        "sites": frame("sites", [
            dict(site_id="SHA", city_en="Shanghai", city_zh="上海", country="CN", timezone="Asia/Shanghai",
                 calendar_id="cn_office", headcount=10),
            dict(site_id="MUC", city_en="Munich", city_zh="慕尼黑", country="DE", timezone="Europe/Berlin",
                 calendar_id="de_by_office", headcount=5)]),
        "service_catalog": frame("service_catalog", [
            dict(service_id="IT-01", department="IT", category_en="Accounts", category_zh="账号",
                 name_en="Password reset", name_zh="密码重置", process="simple", department_name_en="IT",
                 department_name_zh="信息技术")]),
        "requesters": frame("requesters", [
            dict(requester_id="U1", org_unit="Sales", site_id="SHA", role="staff"),
            dict(requester_id="U2", org_unit="Sales", site_id="MUC", role="manager")]),
        "agents": frame("agents", [dict(agent_id="A1", department="IT", site_id="SHA", assigned_group="IT-SHA",
                                        cost_per_hour=120.0)]),
        "requests": frame("requests", [
            # over National Day (1-8 Oct 2025) to the make-up Saturday 11 Oct
            request("R1", "U1", "P3", dt(2025, 9, 30, 17), dt(2025, 9, 30, 17, 30), dt(2025, 10, 11, 10)),
            # over the switch to summer time in Munich (30 Mar 2025)
            request("R2", "U2", "P4", dt(2025, 3, 28, 16), dt(2025, 3, 28, 16, 20), dt(2025, 3, 31, 10),
                    tz="Europe/Berlin"),
            # paused 10:00-14:00, resolved 15:00, reopened 15:30, resolved again 17:00
            request("R3", "U1", "P2", dt(2025, 6, 3, 9), dt(2025, 6, 3, 9, 10), dt(2025, 6, 3, 17)),
            # still open
            request("R4", "U1", "P3", dt(2025, 6, 4, 10), status="new"),
            # P1 on the calendar clock: 9 h > 8 h target; bounced to Facilities and back
            request("R5", "U1", "P1", dt(2025, 6, 5, 10), dt(2025, 6, 5, 10, 5), dt(2025, 6, 5, 19)),
            request("R6", "U1", "P4", dt(2025, 6, 10, 9), dt(2025, 6, 10, 9, 30), dt(2025, 6, 10, 11)),
            # an older version of R6 delivered too: the latest version (resolved) must win
            request("R6", "U1", "P4", dt(2025, 6, 10, 9), dt(2025, 6, 10, 9, 30), status="in_progress"),
        ]),
        "request_events": frame("request_events", [
            ev("E1", "R3", "status_change", dt(2025, 6, 3, 1), "new", actor="U1"),
            ev("E2", "R3", "status_change", dt(2025, 6, 3, 1, 10), "in_progress", "new"),
            ev("E3", "R3", "status_change", dt(2025, 6, 3, 2), "on_hold", "in_progress"),
            ev("E4", "R3", "status_change", dt(2025, 6, 3, 6), "in_progress", "on_hold", actor="U1"),
            ev("E5", "R3", "status_change", dt(2025, 6, 3, 7), "resolved", "in_progress"),
            ev("E6", "R3", "status_change", dt(2025, 6, 3, 7, 30), "reopened", "resolved", actor="U1"),
            ev("E7", "R3", "status_change", dt(2025, 6, 3, 9), "resolved", "reopened"),
            ev("E8", "R5", "assignment_change", dt(2025, 6, 5, 2), "IT-SHA", actor="system"),
            ev("E9", "R5", "assignment_change", dt(2025, 6, 5, 2, 1), "FAC-SHA", "IT-SHA", actor="system"),
            ev("E10", "R5", "assignment_change", dt(2025, 6, 5, 2, 2), "IT-SHA", "FAC-SHA", actor="system"),
            ev("E11", "R6", "assignment_change", dt(2025, 6, 10, 1), "IT-SHA", actor="system"),
            ev("E12", "R6", "comment", dt(2025, 6, 10, 1, 30), public=True),
            ev("E13", "R1", "comment", dt(2025, 9, 30, 9, 30), public=True),
        ]),
        "tasks": frame("tasks", [
            task("T3", "R3", dt(2025, 6, 3, 9), 30.0), task("T5", "R5", dt(2025, 6, 5, 11), 60.0),
            task("T6", "R6", dt(2025, 6, 10, 3), 15.0), task("T6b", "R6", dt(2025, 6, 10, 2), 0, automated=True),
        ]),
        "approvals": frame("approvals", [
            dict(approval_id="AP5", request_id="R5", step="owner", level=1, approver_id="M1", decision="approved",
                 requested_at=dt(2025, 6, 5, 2), decided_at=dt(2025, 6, 5, 12)),  # after fulfilment
            dict(approval_id="AP6", request_id="R6", step="owner", level=1, approver_id="M1", decision="approved",
                 requested_at=dt(2025, 6, 10, 1), decided_at=dt(2025, 6, 10, 2)),
        ]),
        "surveys": frame("surveys", [
            dict(survey_id="S3", request_id="R3", csat_score=4, nps_score=9, answered_at=dt(2025, 6, 4)),
            dict(survey_id="S5", request_id="R5", csat_score=2, nps_score=3, answered_at=dt(2025, 6, 6)),
            dict(survey_id="S6", request_id="R6", csat_score=5, nps_score=10, answered_at=dt(2025, 6, 11)),
        ]),
        "knowledge_articles": frame("knowledge_articles", [
            dict(article_id="KB1", service_id="IT-01", title_en="Reset", title_zh="重置")]),
        "self_service_sessions": frame("self_service_sessions", [
            # followed by R4 (opened 02:00 UTC) within 24 h: a failure; the second is a success
            dict(session_id="SS1", requester_id="U1", article_id="KB1", service_id="IT-01",
                 viewed_at=dt(2025, 6, 4, 1), channel="portal"),
            dict(session_id="SS2", requester_id="U1", article_id="KB1", service_id="IT-01",
                 viewed_at=dt(2025, 6, 20, 1), channel="portal"),
        ]),
        "access_grants": frame("access_grants", [
            dict(grant_id="G1", request_id="R6", requester_id="U1", system="ERP", granted_at=dt(2025, 1, 1),
                 expires_at=dt(2025, 4, 1), is_approved=True),
            dict(grant_id="G2", request_id="R6", requester_id="U1", system="MES", granted_at=dt(2025, 5, 1),
                 expires_at=dt(2025, 12, 1), is_approved=True),
        ]),
        "access_violations": frame("access_violations", [
            dict(violation_id="V1", grant_id="G1", requester_id="U1", system="ERP", occurred_at=dt(2025, 6, 15),
                 violation_type="access_after_expiry")]),
        "automation_runs": frame("automation_runs", [
            dict(run_id="RUN6", task_id="T6b", bot_id="bot-it", started_at=dt(2025, 6, 10, 1, 59),
                 finished_at=dt(2025, 6, 10, 2), outcome="success")]),
    }


@pytest.fixture(scope="module")
def golden(golden_built):
    con = duckdb.connect(str(golden_built.paths.published), read_only=True)
    yield con
    con.close()


def fct(con, rid: str) -> dict:
    cur = con.execute("select * from marts.fct_requests where source_request_id = ?", [rid])
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0], strict=True))


def kpi(con, metric: str, month: str = "2025-06-01", dimension: str = "all", value: str = "all") -> float:
    rows = con.execute("select value from marts.mart_kpi_monthly where metric_id = ? and month = ? "
                       "and dimension = ? and dimension_value = ?", [metric, month, dimension, value]).fetchall()
    assert len(rows) == 1, (metric, month, dimension, value, rows)
    return rows[0][0]


def test_request_over_national_day_and_make_up_saturday(golden):
    r = fct(golden, "R1")
    assert r["request_id"] == "esm_portal:R1"
    assert r["opened_at"] == dt(2025, 9, 30, 9)  # stored in UTC
    assert r["lead_time_minutes"] == pytest.approx(257 * 60)
    # 30 Sep 17-18 (60) + 9 Oct (480) + 10 Oct (480) + make-up Sat 11 Oct 09-10 (60)
    assert r["lead_time_business_minutes"] == pytest.approx(1080)
    assert r["first_response_business_minutes"] == pytest.approx(30)
    assert r["sla_met"] is False  # 1080 > 900


def test_request_over_daylight_saving_change(golden):
    r = fct(golden, "R2")
    assert r["lead_time_minutes"] == pytest.approx(65 * 60)  # Fri 15:00 UTC -> Mon 08:00 UTC
    assert r["lead_time_business_minutes"] == pytest.approx(180)  # Fri 16-17 + Mon 08-10
    assert r["first_response_business_minutes"] == pytest.approx(20)
    assert r["sla_met"] is True


def test_pause_and_reopen(golden):
    r = fct(golden, "R3")
    assert r["lead_time_business_minutes"] == pytest.approx(420)  # 09-12, 13-17
    assert r["paused_minutes"] == pytest.approx(240)
    assert r["paused_business_minutes"] == pytest.approx(180)  # 10-12, 13-14
    assert r["sla_elapsed_minutes"] == pytest.approx(240)
    assert r["sla_met"] is True
    assert r["is_reopened"] is True and r["reopen_count"] == 1
    assert r["is_first_contact_resolution"] is False


def test_open_request_and_calendar_clock(golden):
    r4 = fct(golden, "R4")
    assert r4["resolved_at"] is None and r4["lead_time_minutes"] is None
    # still open, but long past its 900 business minutes by the end of the data: breached
    assert r4["resolution_sla_state"] == "breached" and r4["sla_met"] is False
    r5 = fct(golden, "R5")
    assert r5["sla_clock_type"] == "calendar"
    assert r5["sla_elapsed_minutes"] == pytest.approx(540) and r5["sla_met"] is False
    assert r5["lead_time_business_minutes"] == pytest.approx(420)
    assert r5["reassignment_count"] == 2 and r5["has_department_return"] is True
    assert r5["response_sla_met"] is True


@pytest.mark.parametrize("metric, expected", [
    ("request_volume", 4),  # R3-R6 opened in June
    ("csat_mean", 11 / 3),
    ("csat_satisfied_rate", 2 / 3),
    ("nps", 100 * (2 - 1) / 3),
    ("reopen_rate", 1 / 3),
    ("sla_attainment_rate", 2 / 3),
    ("first_contact_resolution_rate", 1 / 3),
    ("cross_department_rework_rate", 2 / 3),
    ("lead_time_median_hours", 8),
    ("lead_time_business_median_hours", 7),
    ("first_response_business_median_minutes", 10),
    ("automation_coverage", 1 / 4),
    ("approval_compliance_rate", 1 / 2),
    ("high_priority_sla_breaches", 1),
    ("cost_per_request", (60 + 120 + 30) / 3 + 20),
    ("requests_per_agent", 3),
    ("self_service_success_rate", 1 / 2),
    ("overdue_access_grant_rate", 1 / 2),
    ("violation_count", 1),
    ("lead_time_mean_hours", (8 + 9 + 2) / 3),
    ("lead_time_p90_hours", 8.8),  # continuous: 8 + 0.8 x (9 - 8)
    ("one_touch_rate", 1 / 3),  # R6: one task by a person plus one automated
    ("response_sla_attainment_rate", 3 / 4),  # R4 never answered: breached by the end of the data
    ("first_response_median_minutes", 10),
    ("repeat_submission_rate", 2 / 3),  # R3 -> R4 and R5 -> R6 within 7 days, same requester and service
    ("backlog_open_requests", 1),  # R4 at the end of June
    ("backlog_age_6_30_days", 1),  # opened 4 June 02:00 UTC, 26.9 days before 1 July
    ("agent_utilization", 1.75 / 160),  # 105 effort minutes over 20 working days x 8 h (2 June is Dragon Boat)
])
def test_june_kpis_by_hand(golden, metric, expected):
    assert kpi(golden, metric) == pytest.approx(expected)


def test_latest_version_wins(golden):
    r6 = fct(golden, "R6")
    assert r6["status"] == "resolved" and r6["lead_time_minutes"] == pytest.approx(120)
    assert golden.execute("select count(*) from marts.fct_requests").fetchall()[0][0] == 6


def test_backlog_at_september_end_holds_both_open_requests(golden):
    assert kpi(golden, "backlog_open_requests", month="2025-09-01") == 2  # R1 (opened 30 Sep) and R4
    assert kpi(golden, "backlog_age_0_1_days", month="2025-09-01") == 1


def test_breakdowns_add_up(golden):
    assert kpi(golden, "request_volume", dimension="site", value="SHA") == 4
    assert kpi(golden, "request_volume", month="2025-03-01", dimension="site", value="MUC") == 1
    assert kpi(golden, "request_volume", dimension="priority", value="P1") == 1
    assert kpi(golden, "request_volume", dimension="service", value="IT-01") == 4
    assert kpi(golden, "request_volume", dimension="service_category", value="IT / Accounts") == 4
    assert kpi(golden, "request_volume", dimension="requester_role", value="staff") == 4
    families = dict(golden.execute("select metric_id, family from marts.mart_kpi_monthly group by all").fetchall())
    assert families["csat_mean"] == "experience" and families["cost_per_request"] == "cost"


def sla(con, rid: str, target: str) -> dict:
    cur = con.execute("select * from marts.fct_sla where subject_id = ? and target_type = ?",
                      [f"esm_portal:{rid}", target])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, (rid, target, rows)
    return dict(zip(names, rows[0], strict=True))


def test_exactly_one_sla_row_per_target(golden):
    n_requests, n_tasks, n_sla = golden.execute("""
        select (select count(*) from marts.fct_requests), (select count(*) from marts.fct_tasks),
               (select count(*) from marts.fct_sla)""").fetchall()[0]
    assert n_sla == 2 * n_requests + n_tasks


def test_due_time_moves_with_pauses_and_business_hours(golden):
    r3 = sla(golden, "R3", "resolution")
    # P2: 600 business minutes + 180 paused from 3 Jun 09:00 -> 4 Jun 15:00 Shanghai = 07:00 UTC
    assert r3["policy_id"] == "p2" and r3["due_at"] == dt(2025, 6, 4, 7)
    assert r3["sla_state"] == "met" and r3["elapsed_minutes"] == pytest.approx(240)
    assert r3["paused_minutes"] == pytest.approx(180)
    assert r3["escalation_level"] == 0 and r3["has_reached_near_breach"] is False


def test_breach_on_the_calendar_clock_and_who_held_it(golden):
    r5 = sla(golden, "R5", "resolution")
    assert (r5["clock_type"], r5["sla_state"]) == ("calendar", "breached")
    assert r5["breached_at"] == dt(2025, 6, 5, 10)  # 02:00 UTC + 8 h
    assert r5["breach_holder_group"] == "IT-SHA"  # back from Facilities at 02:02
    assert r5["escalation_level"] == 3
    assert sla(golden, "R5", "response")["sla_state"] == "met"


def test_open_request_breaches_at_its_due_time(golden):
    r4 = sla(golden, "R4", "resolution")
    # 900 business minutes from 4 Jun 10:00: 420 that day, 480 on 5 Jun -> 5 Jun 18:00 Shanghai
    assert r4["due_at"] == dt(2025, 6, 5, 10)
    assert r4["sla_state"] == "breached" and r4["stopped_at"] is None


def test_due_time_skips_national_day(golden):
    r1 = sla(golden, "R1", "resolution")
    # 60 on 30 Sep, nothing 1-8 Oct, 480 on 9 Oct, 360 on 10 Oct -> 10 Oct 16:00 Shanghai
    assert r1["due_at"] == dt(2025, 10, 10, 8)
    assert r1["sla_state"] == "breached"


def test_task_ola(golden):
    t5 = golden.execute("select sla_state, elapsed_minutes, policy_id from marts.fct_sla "
                        "where subject_id = 'esm_portal:T5'").fetchall()
    assert t5 == [("met", pytest.approx(480), "ola_default")]
