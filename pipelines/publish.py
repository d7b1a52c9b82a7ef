"""Publish the warehouse for readers once the marts and their blocking checks have passed."""


import logging

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from esm.publish import MAIN_TABLES, publish
from esm.settings import paths
from pipelines.transform import esm_dbt_models

log = logging.getLogger("esm.pipeline")


@dg.asset(
    deps=[get_asset_key_for_model([esm_dbt_models], t) for t in MAIN_TABLES],
    group_name="publish",
    kinds={"duckdb"},
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """A read-only copy of the marts and audit tables, swapped in atomically."""
    p = paths()
    counts = publish(p.warehouse, p.published)
    log.info("published %s", p.published)
    return dg.MaterializeResult(metadata={"path": str(p.published), **{k: v for k, v in counts.items()}})
