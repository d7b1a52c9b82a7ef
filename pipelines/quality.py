"""Great Expectations suites as blocking Dagster asset checks on raw requests and on the marts."""

from __future__ import annotations

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from data_tests.suites import validate
from esm.settings import paths
from pipelines.ingest import RAW_KEYS
from pipelines.transform import esm_dbt_models

FCT_REQUESTS = get_asset_key_for_model([esm_dbt_models], "fct_requests")
KPI_MONTHLY = get_asset_key_for_model([esm_dbt_models], "mart_kpi_monthly")


def _frame(sql: str):
    con = duckdb.connect(str(paths().warehouse), read_only=True)
    try:
        return con.sql(sql).pl().to_pandas()
    finally:
        con.close()


def _result(*results) -> dg.AssetCheckResult:
    failed = [f for r in results for f in r.failed]
    return dg.AssetCheckResult(
        passed=all(r.success for r in results),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows": sum(r.rows for r in results), "expectations": sum(r.evaluated for r in results),
                  "failed": dg.MetadataValue.json(failed)},
    )


@dg.asset_check(asset=RAW_KEYS["requests"], blocking=True, description="GX suite raw_requests")
def gx_raw_requests() -> dg.AssetCheckResult:
    return _result(validate("raw_requests", _frame(
        "select request_id, opened_at, _source_system, priority, channel from raw.requests")))


@dg.asset_check(asset=FCT_REQUESTS, blocking=True, description="GX suite fct_requests")
def gx_fct_requests() -> dg.AssetCheckResult:
    return _result(validate("fct_requests", _frame(
        "select request_id, lead_time_minutes, first_response_minutes, lead_time_business_minutes, priority, "
        "domain_id from marts.fct_requests")))


@dg.asset_check(asset=KPI_MONTHLY, blocking=True, description="GX suites mart_kpi_monthly and its ratios")
def gx_kpi_monthly() -> dg.AssetCheckResult:
    kpis = _frame("select k.*, m.unit from marts.mart_kpi_monthly k left join marts.dim_metrics m using (metric_id)")
    return _result(validate("mart_kpi_monthly", kpis),
                   validate("mart_kpi_monthly_ratios", kpis[kpis["unit"] == "ratio"]))


CHECKS = [gx_raw_requests, gx_fct_requests, gx_kpi_monthly]
