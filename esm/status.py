"""What the published warehouse holds: when it was built, row counts, and per-source load accounting."""

from __future__ import annotations

from pathlib import Path

import duckdb

from esm.publish import MAIN_TABLES


def warehouse_status(published: Path) -> dict:
    """Status of the published warehouse; raises FileNotFoundError if nothing is published yet."""
    if not published.exists():
        raise FileNotFoundError(published)
    con = duckdb.connect(str(published), read_only=True)
    try:
        built_at = con.execute("select max(built_at) from audit.build_info").fetchone()[0]
        rows = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in MAIN_TABLES}
        sources = con.execute("""
            select source_system, sum(records_in), sum(loaded), sum(quarantined), sum(duplicates),
                   count(distinct load_id), max(loaded_at)
            from audit.load_log group by source_system order by source_system""").fetchall()
        cursors = con.execute("select source_system, stream, cursor, updated_at from audit.cursors "
                              "order by 1, 2").fetchall()
        deletions = dict(con.execute("select source_system, count(*) from audit.deletions group by 1").fetchall())
        last_runs = con.execute("""
            select source_system, load_id, sum(records_in), sum(loaded), sum(quarantined), sum(duplicates)
            from audit.load_log
            group by source_system, load_id
            qualify row_number() over (partition by source_system order by max(loaded_at) desc) = 1""").fetchall()
        reasons = con.execute("""
            select source_system, entity, reason, count(*) from audit.quarantine
            group by all order by 1, 4 desc""").fetchall()
    finally:
        con.close()
    per_source = {
        s: {"records_in": int(i), "loaded": int(lo), "quarantined": int(q), "duplicates_dropped": int(d),
            "loads": int(n), "last_loaded_at": str(last)}
        for s, i, lo, q, d, n, last in sources
    }
    for s, load_id, i, lo, q, d in last_runs:
        per_source[s]["last_run"] = {"load_id": load_id, "records_in": int(i), "loaded": int(lo),
                                     "quarantined": int(q), "duplicates_dropped": int(d)}
    for s, n in deletions.items():
        per_source.setdefault(s, {})["deletions"] = int(n)
    for s, stream, cursor, at in cursors:
        per_source.setdefault(s, {}).setdefault("cursors", {})[stream] = {"cursor": cursor, "at": str(at)}
    for s, entity, reason, n in reasons:
        per_source[s].setdefault("quarantine_reasons", []).append({"entity": entity, "reason": reason, "count": n})
    return {"published_file": str(published), "built_at": str(built_at), "rows": rows, "sources": per_source}
