"""Business-time arithmetic: properties (hypothesis) and agreement with what the dbt models computed."""

from datetime import datetime, timedelta

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esm.business_time import business_seconds
from tests.conftest import build
from tests.test_golden_metrics import golden_tables

CALENDARS = ["cn_office", "cn_plant", "de_by_office", "always_on"]
# source timestamps carry whole seconds; business time is exact to the second
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda d: d.replace(microsecond=0))


@pytest.fixture(scope="module")
def con(golden_built):
    c = duckdb.connect(str(golden_built.paths.warehouse), read_only=True)
    yield c
    c.close()


@settings(max_examples=150, deadline=None)
@given(cal=st.sampled_from(CALENDARS), a=instants, b=instants, c=instants)
def test_additive_over_split_intervals(con, cal, a, b, c):
    a, b, c = sorted([a, b, c])
    ab, bc, ac = business_seconds(con, cal, [(a, b), (b, c), (a, c)])
    assert ab + bc == ac


@settings(max_examples=150, deadline=None)
@given(cal=st.sampled_from(CALENDARS), a=instants, b=instants)
def test_never_more_than_calendar_time_and_never_negative(con, cal, a, b):
    a, b = sorted([a, b])
    (s,) = business_seconds(con, cal, [(a, b)])
    assert 0 <= s <= (b - a).total_seconds()
    if cal == "always_on":
        assert s == int((b - a).total_seconds())


@settings(max_examples=100, deadline=None)
@given(a=st.datetimes(min_value=datetime(2025, 9, 30, 16), max_value=datetime(2025, 10, 8, 15, 59)).map(
           lambda d: d.replace(microsecond=0)),
       minutes=st.integers(min_value=0, max_value=60 * 24 * 8))
def test_zero_inside_national_day(con, a, minutes):
    # 1-8 October 2025 local = 30 Sep 16:00 .. 8 Oct 16:00 UTC: no working time on any Chinese calendar
    b = min(a + timedelta(minutes=minutes), datetime(2025, 10, 8, 16))
    for cal in ("cn_office", "cn_plant"):
        assert business_seconds(con, cal, [(a, b)]) == [0]


def test_agrees_with_the_dbt_models(golden_built, con):
    rows = con.execute("""select calendar_id, opened_at, resolved_at, lead_time_business_minutes
                          from marts.fct_requests where resolved_at is not null""").fetchall()
    assert len(rows) == 5
    for cal, opened, resolved, minutes in rows:
        assert business_seconds(con, cal, [(opened, resolved)]) == [round(minutes * 60)]


def test_unchanged_by_the_order_records_arrive(golden_built, tmp_path):
    shuffled = {k: v.reverse() for k, v in golden_tables().items()}
    other = build(tmp_path / "home", shuffled)
    assert other.result.success
    query = ("select * exclude (as_of_at) from marts.fct_sla order by sla_id",
             "select * from marts.fct_requests order by request_id",
             "select * from marts.mart_kpi_monthly order by all")
    results = []
    for built in (golden_built, other):
        c = duckdb.connect(str(built.paths.published), read_only=True)
        try:
            results.append([c.execute(q).fetchall() for q in query])
        finally:
            c.close()
    assert results[0] == results[1]
