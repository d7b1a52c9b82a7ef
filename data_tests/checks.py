"""Which frame each suite validates: the one definition the Dagster checks and the benchmark share."""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_tests.suites import SuiteResult, validate

QUERIES = {
    "raw_requests": "select request_id, opened_at, _source_system, priority, channel from raw.requests",
    "fct_requests": ("select request_id, lead_time_minutes, first_response_minutes, lead_time_business_minutes, "
                     "priority, domain_id from marts.fct_requests"),
    "mart_kpi_monthly": ("select k.*, m.unit from marts.mart_kpi_monthly k "
                         "left join marts.dim_metrics m using (metric_id)"),
}


def _frame(warehouse: Path, sql: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).pl().to_pandas()
    finally:
        con.close()


def run_check(warehouse: Path, name: str) -> list[SuiteResult]:
    """Validate the frame behind check `name` (raw_requests, fct_requests or mart_kpi_monthly)."""
    frame = _frame(warehouse, QUERIES[name])
    if name == "mart_kpi_monthly":
        return [validate("mart_kpi_monthly", frame),
                validate("mart_kpi_monthly_ratios", frame[frame["unit"] == "ratio"])]
    return [validate(name, frame)]
