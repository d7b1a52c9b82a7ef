"""One Dagster asset per source configured in sources.yml: each runs its connector into the raw tables."""


import logging

import dagster as dg
import duckdb

from connectors.framework import ConnectorError, run_connector
from connectors.registry import SourceConfig, connector_class, load_sources
from esm.settings import config_dir, paths

log = logging.getLogger("esm.pipeline")


def source_asset(source: SourceConfig) -> dg.AssetsDefinition:
    """An asset keyed [sources, <name>] that runs the source's connector incrementally."""

    @dg.asset(key=["sources", source.name], group_name="sources", kinds={"duckdb"},
              description=f"{source.connector} connector into the raw tables as source {source.name}")
    def _ingest(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        p = paths()
        p.home.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(p.warehouse))
        try:
            run = run_connector(con, connector_class(source.connector), source.name, dict(source.options))
        except ConnectorError as exc:
            raise dg.Failure(str(exc)) from None
        finally:
            con.close()
        totals = run.totals()
        msg = f"{source.name}: " + (", ".join(f"{e} {n['loaded']}/{n['records_in']}" for e, n in totals.items())
                                     or "nothing new")
        log.info(msg)
        context.log.info(msg)
        flat = {f"{e}.{k}": v for e, n in totals.items() for k, v in n.items()}
        return dg.MaterializeResult(metadata={"load_id": run.load_id, "payloads": run.payloads,
                                              "deletions": run.deletions, **flat})

    return _ingest


def configured_source_assets() -> list[dg.AssetsDefinition]:
    return [source_asset(s) for s in load_sources(config_dir())]
