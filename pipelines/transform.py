"""dbt models (staging -> intermediate -> marts) as Dagster assets; dbt tests become asset checks."""


import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.project import esm_dbt_project


@dbt_assets(manifest=esm_dbt_project.manifest_path, project=esm_dbt_project)
def esm_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()
