"""dbt models (staging -> intermediate -> marts) as Dagster assets; dbt tests become asset checks."""

import logging

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.project import esm_dbt_project

log = logging.getLogger("esm.pipeline")


@dbt_assets(manifest=esm_dbt_project.manifest_path, project=esm_dbt_project)
def esm_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    models = tests = 0
    for event in dbt.cli(["build"], context=context).stream():
        if isinstance(event, dg.Output | dg.MaterializeResult):
            models += 1
            key = getattr(event, "asset_key", None)
            log.info("dbt model %d: %s", models, key.path[-1] if key else event.output_name)
        elif isinstance(event, dg.AssetCheckResult):
            tests += 1
        yield event
    log.info("dbt build: %d models, %d tests", models, tests)
