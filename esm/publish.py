"""Publish a finished warehouse: copy marts and audit tables into a new file, then atomically swap it in.

Readers (dashboards, `esm status`) open only the published file, read-only and briefly, so a build that is
writing the working file never blocks them, and a failed build never touches what is published.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

PUBLISHED_SCHEMAS = ("marts",)
AUDIT_TABLES = {"load_log": "raw._load_log", "quarantine": "raw._quarantine", "cursors": "raw._cursors",
                "deletions": "raw._deletions"}
MAIN_TABLES = ("fct_requests", "fct_tasks", "fct_approvals", "fct_sla", "mart_kpi_monthly", "dim_services", "dim_sites",
               "dim_metrics")


def publish(working: Path, published: Path) -> dict[str, int]:
    """Copy the publishable part of `working` into a fresh file and rename it over `published`."""
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"attach '{working}' as src (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'src' "
            "and schema_name in (select unnest(?))", [list(PUBLISHED_SCHEMAS)]).fetchall()
        for schema, table in tables:
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as select * from src.{schema}.{table}")
            counts[f"{schema}.{table}"] = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
        con.execute("create schema audit")
        for name, source in AUDIT_TABLES.items():
            con.execute(f"create table audit.{name} as select * from src.{source}")
            counts[f"audit.{name}"] = con.execute(f"select count(*) from audit.{name}").fetchone()[0]
        con.execute("create table audit.build_info (built_at timestamp, working_file varchar)")
        con.execute("insert into audit.build_info values (?, ?)",
                    [datetime.now(UTC).replace(tzinfo=None), str(working)])
        con.execute("detach src")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, published)
    log.info("published %s (%d tables)", published, len(counts))
    return counts
