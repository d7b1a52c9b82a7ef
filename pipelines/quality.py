"""Great Expectations suites as blocking Dagster asset checks on raw requests and on the marts."""

import logging

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from data_tests.checks import run_check
from esm.settings import paths
from pipelines.ingest import RAW_KEYS
from pipelines.transform import esm_dbt_models

FCT_REQUESTS = get_asset_key_for_model([esm_dbt_models], "fct_requests")
KPI_MONTHLY = get_asset_key_for_model([esm_dbt_models], "mart_kpi_monthly")
log = logging.getLogger("esm.pipeline")


def _result(name: str) -> dg.AssetCheckResult:
    results = run_check(paths().warehouse, name)
    failed = [f for r in results for f in r.failed]
    log.info("GX %s: %s (%d rows)", name, "passed" if not failed else f"{len(failed)} expectation(s) failed",
             sum(r.rows for r in results))
    return dg.AssetCheckResult(
        passed=all(r.success for r in results),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows": sum(r.rows for r in results), "expectations": sum(r.evaluated for r in results),
                  "failed": dg.MetadataValue.json(failed)},
    )


@dg.asset_check(asset=RAW_KEYS["requests"], blocking=True, description="GX suite raw_requests")
def gx_raw_requests() -> dg.AssetCheckResult:
    return _result("raw_requests")


@dg.asset_check(asset=FCT_REQUESTS, blocking=True, description="GX suite fct_requests")
def gx_fct_requests() -> dg.AssetCheckResult:
    return _result("fct_requests")


@dg.asset_check(asset=KPI_MONTHLY, blocking=True, description="GX suites mart_kpi_monthly and its ratios")
def gx_kpi_monthly() -> dg.AssetCheckResult:
    return _result("mart_kpi_monthly")


CHECKS = [gx_raw_requests, gx_fct_requests, gx_kpi_monthly]
