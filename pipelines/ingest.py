"""Raw landing: reference configuration and every export batch waiting in the inbox, into raw tables."""


import logging

import dagster as dg
import duckdb

from connectors.contracts import CONTRACTS
from connectors.landing import land_inbox
from connectors.reference import load_reference
from esm.settings import config_dir, paths
from pipelines.sources import configured_source_assets

log = logging.getLogger("esm.pipeline")

RAW_SOURCE = "esm_export"  # the dbt source name of the raw tables
REFERENCE_TABLES = ["catalog_items", "catalog_rules",
                    "calendars", "calendar_intervals", "calendar_days", "sla_policies", "sla_pause_statuses",
                    "sla_settings", "sla_escalation_levels", "metrics"]
RAW_KEYS = {c.entity: dg.AssetKey([RAW_SOURCE, c.entity]) for c in CONTRACTS}
REFERENCE_KEYS = {t: dg.AssetKey(["reference", t]) for t in REFERENCE_TABLES}


SOURCE_ASSETS = configured_source_assets()


@dg.multi_asset(
    # the raw tables come after every configured source's connector has landed
    specs=[dg.AssetSpec(k, group_name="raw", kinds={"duckdb"}, description=f"raw.{e} as received",
                        deps=[a.key for a in SOURCE_ASSETS])
           for e, k in RAW_KEYS.items()]
    + [dg.AssetSpec(k, group_name="reference", kinds={"duckdb"}, description=f"reference.{t} from config/")
       for t, k in REFERENCE_KEYS.items()],
    can_subset=False,
)
def raw_landing(context: dg.AssetExecutionContext):
    """Load reference config, then land every batch in the inbox (quarantine and load log included)."""
    p = paths()
    p.home.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(p.warehouse))
    try:
        ref_counts = load_reference(con, config_dir())
        results = land_inbox(con, p.inbox, p.archive)  # creates every raw table, landed or not
        raw_counts = {e: con.execute(f"select count(*) from raw.{e}").fetchone()[0] for e in RAW_KEYS}
    finally:
        con.close()
    missing = [e for e, n in raw_counts.items() if n == 0 and e == "requests"]
    if missing:
        raise dg.Failure("no raw requests: land an export or run a connector first (`esm demo`, `esm ingest`)")
    landed = {r.entity: r for r in results}
    msg = f"landed {len(results)} file(s): " + ", ".join(
        f"{r.entity} {r.loaded}/{r.records_in}" for r in results) if results else "no new batch in the inbox"
    log.info(msg)
    context.log.info(msg)
    for entity, key in RAW_KEYS.items():
        r = landed.get(entity)
        meta = {"dagster/row_count": raw_counts[entity]}
        if r:
            meta |= {"records_in": r.records_in, "loaded": r.loaded, "quarantined": r.quarantined,
                     "duplicates": r.duplicates}
        yield dg.MaterializeResult(asset_key=key, metadata=meta)
    for table, key in REFERENCE_KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": ref_counts[table]})
