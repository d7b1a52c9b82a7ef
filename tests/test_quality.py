"""The GX suites fail on the defects they guard against (and pass on good frames)."""

import pandas as pd

from data_tests.suites import validate


def fct_frame(**overrides) -> pd.DataFrame:
    base = {
        "request_id": ["a", "b", "c"], "lead_time_minutes": [10.0, 600.0, None],
        "first_response_minutes": [1.0, 5.0, None], "lead_time_business_minutes": [10.0, 300.0, None],
        "priority": ["P1", "P3", "P4"], "domain_id": ["IT", "HR", "FIN"],
    }
    return pd.DataFrame(base | overrides)


def test_good_frame_passes():
    assert validate("fct_requests", fct_frame()).success


def test_duplicate_ids_and_business_time_over_calendar_time_fail():
    r = validate("fct_requests", fct_frame(request_id=["a", "a", "c"], lead_time_business_minutes=[20.0, 300.0, None]))
    assert not r.success
    failed = {f["expectation"] for f in r.failed}
    assert failed == {"expect_column_values_to_be_unique", "expect_column_pair_values_a_to_be_greater_than_b"}


def test_kpi_ratios_outside_zero_one_fail():
    frame = pd.DataFrame({"metric_id": ["x", "y"], "month": ["2025-01-01"] * 2, "dimension": ["all"] * 2,
                          "dimension_value": ["all"] * 2, "family": ["risk"] * 2, "value": [0.5, 1.2]})
    assert validate("mart_kpi_monthly", frame).success
    r = validate("mart_kpi_monthly_ratios", frame)
    assert not r.success and r.failed[0]["unexpected_count"] == 1


def test_raw_requests_with_unknown_channel_fail():
    frame = pd.DataFrame({"request_id": ["1", "2"], "opened_at": pd.to_datetime(["2025-01-01", "2025-01-02"]),
                          "_source_system": ["s", "s"], "priority": ["P1", "P2"], "channel": ["portal", "pigeon"]})
    r = validate("raw_requests", frame)
    assert not r.success
    assert r.failed[0]["examples"] == ["pigeon"]
