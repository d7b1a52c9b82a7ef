"""Wires ESM Warehouse: sources -> raw landing -> dbt -> GX checks -> publish; a schedule and an inbox sensor."""

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.ingest import SOURCE_ASSETS, raw_landing
from pipelines.project import dbt_executable, esm_dbt_project
from pipelines.publish import published_warehouse
from pipelines.quality import CHECKS
from pipelines.schedules import daily_build_job, daily_build_schedule, inbox_sensor
from pipelines.transform import esm_dbt_models

defs = dg.Definitions(
    assets=[*SOURCE_ASSETS, raw_landing, esm_dbt_models, published_warehouse],
    asset_checks=CHECKS,
    jobs=[daily_build_job],
    schedules=[daily_build_schedule],
    sensors=[inbox_sensor],
    resources={"dbt": DbtCliResource(project_dir=esm_dbt_project, dbt_executable=dbt_executable())},
    executor=dg.in_process_executor,  # one DuckDB writer at a time
)
