"""Expectation suites, built in Python, for raw connector output and the marts.

Each suite is a function (name -> list of expectations) so that the Dagster asset checks, the CLI and the
tests share one definition. GX validates pandas frames: its SQL datasource does not work with DuckDB here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from connectors.contracts import CHANNELS, PRIORITIES

log = logging.getLogger(__name__)
RATIO_UNITS = ("ratio",)
FAMILIES = ["experience", "efficiency", "risk", "cost", "data_health"]


@dataclass
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    failed: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx  # ~3 s to import: keep it out of module import time

    return gx


def raw_requests_expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="request_id"),
        e.ExpectColumnValuesToNotBeNull(column="opened_at"),
        e.ExpectColumnValuesToNotBeNull(column="_source_system"),
        e.ExpectColumnValuesToBeInSet(column="priority", value_set=PRIORITIES, mostly=0.99),
        e.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
    ]


def fct_requests_expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="request_id"),
        e.ExpectColumnValuesToBeUnique(column="request_id"),
        e.ExpectColumnValuesToBeBetween(column="lead_time_minutes", min_value=0),
        e.ExpectColumnValuesToBeBetween(column="first_response_minutes", min_value=0),
        e.ExpectColumnValuesToBeBetween(column="lead_time_business_minutes", min_value=0),
        # business time never exceeds calendar time
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="lead_time_minutes", column_B="lead_time_business_minutes", or_equal=True,
            ignore_row_if="either_value_is_missing"),
        e.ExpectColumnValuesToBeInSet(column="priority", value_set=PRIORITIES),
        e.ExpectColumnValuesToNotBeNull(column="domain_id"),
    ]


def kpi_expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="value"),
        e.ExpectColumnValuesToNotBeNull(column="family"),
        e.ExpectColumnValuesToBeInSet(column="family", value_set=FAMILIES),
        e.ExpectCompoundColumnsToBeUnique(column_list=["metric_id", "month", "dimension", "dimension_value"]),
    ]


def kpi_ratio_expectations(gx) -> list:
    e = gx.expectations
    return [e.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=1)]


SUITES: dict[str, Callable] = {
    "raw_requests": raw_requests_expectations,
    "fct_requests": fct_requests_expectations,
    "mart_kpi_monthly": kpi_expectations,
    "mart_kpi_monthly_ratios": kpi_ratio_expectations,
}


def validate(suite_name: str, frame: pd.DataFrame) -> SuiteResult:
    """Validate a pandas frame against a named suite; returns the failed expectations with examples."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas(name=f"{suite_name}_source")
    asset = source.add_dataframe_asset(name=suite_name)
    batch_def = asset.add_batch_definition_whole_dataframe(f"{suite_name}_batch")
    batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(name=suite_name)
    for expectation in SUITES[suite_name](gx):
        suite.add_expectation(expectation)
    result = batch.validate(suite)
    failed = []
    for r in result.results:
        if not r.success:
            cfg = r.expectation_config
            failed.append({
                "expectation": cfg.type,
                "kwargs": {k: v for k, v in cfg.kwargs.items() if k != "batch_id"},
                "unexpected_count": (r.result or {}).get("unexpected_count"),
                "examples": [str(x) for x in ((r.result or {}).get("partial_unexpected_list") or [])[:5]],
                "error": (r.exception_info or {}).get("exception_message")
                if isinstance(r.exception_info, dict) else None,
            })
    return SuiteResult(suite_name, bool(result.success), len(result.results), failed, len(frame))
