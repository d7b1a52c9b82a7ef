"""The overview page with AppTest: KPIs from the published warehouse, in English and Chinese."""

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboards.formatting import format_value

APP = "../dashboards/app.py"


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def mart_value(published, metric_id, month):
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute("select value from marts.mart_kpi_monthly where metric_id = ? and month = ? "
                           "and dimension = 'all'", [metric_id, month]).fetchall()[0][0]
    finally:
        con.close()


def test_overview_shows_the_marts_numbers(demo_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert len(metrics) == 8
    month = at.selectbox(key="month").value
    assert metrics["Requests opened"] == format_value(mart_value(demo_env.published, "request_volume", month), "count")
    assert metrics["CSAT (mean score)"] == format_value(mart_value(demo_env.published, "csat_mean", month), "score")
    assert len(at.get("plotly_chart")) == 3


def test_language_switch_to_chinese(demo_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "服务运营总览"
    labels = {m.label for m in at.metric}
    assert {"请求量", "满意度均分", "SLA 达成率"} <= labels


def test_trend_follows_the_chosen_metric(demo_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="trend_metric_en").set_value("csat_mean").run()
    assert not at.exception
    assert "CSAT (mean score)" in at.get("plotly_chart")[0].proto.spec
    month = at.selectbox(key="month").value
    at.selectbox(key="month").select_index(0).run()
    first = at.selectbox(key="month").value
    assert first < month
    requests = next(m for m in at.metric if m.label == "Requests opened")
    assert requests.value == format_value(mart_value(demo_env.published, "request_volume", first), "count")
    assert not requests.delta  # no month before the first


def test_no_warehouse_gives_guidance(tmp_path, monkeypatch):
    monkeypatch.setenv("ESM_HOME", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "esm demo" in at.warning[0].value


def test_deltas_carry_an_ascii_sign_for_the_arrow():
    from dashboards.formatting import format_delta

    assert format_delta(-3.04, "hours") == "-3.0 h"
    assert format_delta(0.027, "ratio") == "+2.7 pp"
    assert format_delta(-7.2, "currency") == "-¥7"
    assert format_delta(-12.5, "points") == "-12.5"


@pytest.mark.parametrize("value, target, tol, direction, expected", [
    (0.92, 0.9, 0.05, "higher_is_better", "green"),
    (0.87, 0.9, 0.05, "higher_is_better", "amber"),  # within 5% of 0.9 (>= 0.855)
    (0.80, 0.9, 0.05, "higher_is_better", "red"),
    (30, 24, 0.25, "lower_is_better", "amber"),  # 30 <= 24 x 1.25
    (31, 24, 0.25, "lower_is_better", "red"),
    (1, 0, None, "lower_is_better", "red"),  # a target of zero has no amber band
    (900, None, None, "neutral", None),
])
def test_rag_against_the_catalog_target(value, target, tol, direction, expected):
    from dashboards.formatting import rag

    assert rag(value, target, tol, direction) == expected


def test_targets_table_uses_the_catalog(demo_env):
    from dashboards.formatting import rag
    from dashboards.i18n import TEXT

    at = AppTest.from_file(APP, default_timeout=60).run()
    table = at.dataframe[0].value
    month = at.selectbox(key="month").value
    row = table[table["Metric"] == "SLA attainment"].iloc[0]
    value = mart_value(demo_env.published, "sla_attainment_rate", month)
    assert row["Target"] == "90.0%"  # config/metrics.yml
    assert row["Status"] == TEXT[f"rag_{rag(value, 0.9, 0.05, 'higher_is_better')}"]["en"]
    order = [s for s in table["Status"]]  # off target first, then near, then on target
    ranks = {"off target": 0, "near target": 1, "on target": 2}
    assert [ranks[s] for s in order] == sorted(ranks[s] for s in order)
