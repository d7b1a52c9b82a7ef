"""Land exported files into the raw schema: exact re-deliveries dropped, bad records quarantined.

Every load appends a row per entity to `raw._load_log` with records_in = loaded + quarantined +
duplicates. Raw tables keep each record as received plus `_source_system`, `_load_id`,
`_loaded_at`, `_source_file` and `_record_hash`; staging picks the latest version per key.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from connectors.contracts import BY_ENTITY, CONTRACTS, Contract

log = logging.getLogger(__name__)

RAW = "raw"
SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
READERS = {
    ".parquet": "read_parquet('{path}', file_row_number = true)",
    ".csv": "read_csv('{path}', header = true, all_varchar = false)",
    ".jsonl": "read_json('{path}', format = 'newline_delimited')",
    ".json": "read_json('{path}')",
}


@dataclass
class LoadResult:
    load_id: str
    source_system: str
    entity: str
    source_file: str
    records_in: int
    loaded: int
    quarantined: int
    duplicates: int


RAW_HINT = "_raw_"
META_COLUMNS = {"_source_system": "varchar", "_load_id": "varchar", "_loaded_at": "timestamp",
                "_source_file": "varchar", "_record_hash": "ubigint"}


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The raw schema with every entity's table (empty until loaded), the quarantine and the load log:
    a source that never sends an entity still builds."""
    con.execute(f"create schema if not exists {RAW}")
    present = set(con.execute("select table_name, column_name from information_schema.columns "
                              "where table_schema = ?", [RAW]).fetchall())
    for contract in CONTRACTS:
        columns = contract.columns | META_COLUMNS
        cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
        if not any(table == contract.entity for table, _ in present):
            con.execute(f"create table {RAW}.{contract.entity} ({cols})")
            continue
        for c, t in columns.items():  # a warehouse from an older format gains the new columns
            if (contract.entity, c) not in present:
                con.execute(f'alter table {RAW}.{contract.entity} add column "{c}" {t}')
    con.execute(f"""
        create table if not exists {RAW}._quarantine (
            load_id varchar, source_system varchar, entity varchar, source_file varchar,
            source_row bigint, record_key varchar, reason varchar, record json, quarantined_at timestamp)""")
    con.execute(f"""
        create table if not exists {RAW}._load_log (
            load_id varchar, source_system varchar, entity varchar, source_file varchar,
            records_in bigint, loaded bigint, quarantined bigint, duplicates bigint, loaded_at timestamp)""")
    # what each connector received, as received: models can always be rebuilt from it
    con.execute(f"""
        create table if not exists {RAW}._payloads (
            source_system varchar, object_type varchar, object_id varchar, payload json,
            _load_id varchar, _loaded_at timestamp, _record_hash ubigint)""")
    # records a source says it deleted; staging drops a record whose deletion came after its latest version
    con.execute(f"""
        create table if not exists {RAW}._deletions (
            source_system varchar, entity varchar, record_id varchar, deleted_at timestamp,
            _load_id varchar, _loaded_at timestamp)""")
    # native ids of a source (ServiceNow sys_id, Zendesk user id) -> the record id the warehouse uses
    con.execute(f"""
        create table if not exists {RAW}._id_map (
            source_system varchar, object_type varchar, native_id varchar, record_id varchar,
            primary key (source_system, object_type, native_id))""")
    # where each connector's incremental read got to, per stream
    con.execute(f"""
        create table if not exists {RAW}._cursors (
            source_system varchar, stream varchar, cursor varchar, updated_at timestamp,
            primary key (source_system, stream))""")


def land_file(con: duckdb.DuckDBPyConnection, source: str, entity: str, path: Path, load_id: str) -> LoadResult:
    """Land one exported file of `entity` from `source` into raw.<entity>."""
    reader = READERS.get(path.suffix)
    if reader is None:
        raise ValueError(f"{path.name}: unsupported file type (use one of {', '.join(READERS)})")
    src = reader.format(path=str(path).replace("'", "''"))
    row_col = "file_row_number" if path.suffix == ".parquet" else None
    return land_relation(con, source, entity, src, load_id, path.name, row_col)


def land_frame(con: duckdb.DuckDBPyConnection, source: str, entity: str, frame, load_id: str,
               label: str) -> LoadResult:
    """Land an in-memory frame (polars or Arrow) of `entity` records, read by DuckDB through Arrow."""
    name = f"_incoming_{entity}"
    con.register(name, frame)
    try:
        return land_relation(con, source, entity, name, load_id, label)
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction must not hide the first error
            con.unregister(name)


def land_relation(con: duckdb.DuckDBPyConnection, source: str, entity: str, src: str, load_id: str,
                  label: str, row_col: str | None = None) -> LoadResult:
    """Land the records of relation `src` (a table function or registered frame) into raw.<entity>:
    exact re-deliveries dropped, records that break the contract quarantined with their reason."""
    contract: Contract = BY_ENTITY[entity]
    described = [(r[0], r[1]) for r in con.execute(f"describe select * from {src}").fetchall() if r[0] != row_col]
    # `_raw_<column>` beside a column a connector already typed holds the received text where it did not parse
    hints = {c[len(RAW_HINT):] for c, _ in described if c.startswith(RAW_HINT)}
    cols = [c for c, _ in described if not c.startswith(RAW_HINT)]
    missing = [c for c in contract.key + contract.required if c not in cols]
    if missing:
        raise ValueError(f"{label}: {entity} export lacks required column(s) {', '.join(missing)}")
    unknown = [c for c in cols if c not in contract.columns] + [RAW_HINT + h for h in hints if h not in cols]
    if unknown:
        raise ValueError(f"{label}: {entity} export has unknown column(s) {', '.join(unknown)} "
                         f"(the format has {', '.join(contract.columns)})")
    if not SOURCE_NAME.match(source):
        raise ValueError(f"source system name {source!r}: use lowercase letters, digits and _")
    col_list = ", ".join(f'"{c}"' for c in cols)
    target = f"{RAW}.{entity}"
    # cast to the format's types, so a record hashes the same whichever door it came through;
    # a value that does not cast is a reason to quarantine, not a silent null
    recast = [c for c, t in described if c in cols and t.lower() != contract.columns[c].lower()]
    # each cast once; the received value of a recast column travels beside it (`_in_<column>`) until checked.
    # Columns a source does not send are null, so every rule can read them.
    received = {c: f'"_in_{c}"' for c in recast} | {h: f'"{RAW_HINT}{h}"' for h in hints}
    typed = ", ".join([f'{_cast(f"o.{chr(34)}{c}{chr(34)}", contract.columns[c])} as "{c}"' if c in recast
                       else f'o."{c}"' for c in cols]
                      + [f'null::{t} as "{c}"' for c, t in contract.columns.items() if c not in cols]
                      + [f'o."{c}" as {received[c]}' for c in recast] + [f"o.{received[h]}" for h in hints])
    cast_checks = [(f"unparseable {c}", f'i.{received[c]} is not null and i."{c}" is null') for c in recast]
    cast_checks += [(f"unparseable {h}", f"i.{received[h]} is not null") for h in sorted(hints)]
    cast_reason = ("case " + " ".join(f"when {p} then '{w}'" for w, p in cast_checks) + " end") if cast_checks \
        else "null::varchar"
    rule_reason = "case " + " ".join(
        f"when {pred.format(raw=RAW, source=source)} then '{why}'" for why, pred in contract.all_checks()) + " end"
    row_expr = f"{row_col} + 1" if row_col else "row_number() over ()"

    def as_json(alias: str, as_received: bool = False) -> str:
        """The record as JSON: as typed, or (as_received) as it came, where a value was recast or did not parse."""
        def value(c: str) -> str:
            if as_received and c in recast:
                return f"{alias}.{received[c]}"
            if as_received and c in hints:
                return f'coalesce({alias}.{received[c]}, cast({alias}."{c}" as varchar))'
            return f'{alias}."{c}"'
        return f"to_json(struct_pack({', '.join(f'{chr(34)}{c}{chr(34)} := {value(c)}' for c in cols)}))"

    # one pass over the source: typed, checked and hashed (materialized, so the source is read once)
    hint_list = "".join(f", {received[h]}" for h in hints)
    dropped = ", ".join(["_cast_reason"] + list(received.values()))
    con.execute(f"""
        create or replace temp table _hashed as
        with originals as (select {col_list}{hint_list}, {row_expr} as _source_row from {src}),
        typed as (select {typed}, o._source_row from originals o),
        reasoned as (select i.*, {cast_reason} as _cast_reason from typed i)
        select i.* exclude ({dropped}), coalesce(i._cast_reason, {rule_reason}) as _reason,
               case when i._cast_reason is not null then {as_json("i", as_received=True)} end as _cast_original,
               hash(struct_pack({", ".join(f'"{c}" := i."{c}"' for c in cols)})) as _record_hash
        from reasoned i""")
    records_in = con.execute("select count(*) from _hashed").fetchone()[0]
    # the first copy of each record not already in raw for this source: good ones to raw, bad ones to quarantine
    fresh = f"""
        from _hashed b
        semi join (select _record_hash, min(_source_row) as _source_row from _hashed group by 1) f
            on b._record_hash = f._record_hash and b._source_row = f._source_row
        where not exists (select 1 from {target} r where r._record_hash = b._record_hash
                          and r._source_system = $source)"""
    loaded = con.execute(f"""
        insert into {target} by name
        select {col_list}, $source as _source_system, $load_id as _load_id, now()::timestamp as _loaded_at,
               $file as _source_file, _record_hash
        {fresh} and b._reason is null""", {"source": source, "load_id": load_id, "file": label}).fetchone()[0]
    key_expr = " || '|' || ".join(f"coalesce(cast(b.\"{k}\" as varchar), '')" for k in contract.key)
    quarantined = con.execute(f"""
        insert into {RAW}._quarantine
        select $load_id, $source, $entity, $file, _source_row, {key_expr}, _reason,
               coalesce(_cast_original, {as_json("b")}), now()::timestamp
        {fresh} and b._reason is not null""",
                              {"source": source, "load_id": load_id, "file": label, "entity": entity}).fetchone()[0]
    con.execute("drop table _hashed")
    result = LoadResult(load_id, source, entity, label, int(records_in), int(loaded), int(quarantined),
                        int(records_in - loaded - quarantined))
    log_load(con, result)
    return result


def _cast(expr: str, type_: str) -> str:
    """Cast a received value to the format's type. Text timestamps with an offset ('+08:00', 'Z') are
    converted to UTC; a plain cast to timestamp would drop the offset."""
    if type_ == "timestamp":
        return (f"case when regexp_matches(cast({expr} as varchar), '(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$') "
                f"then timezone('UTC', try_cast(cast({expr} as varchar) as timestamptz)) "
                f"else try_cast({expr} as timestamp) end")
    return f"try_cast({expr} as {type_})"


def log_load(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
    """One row of load accounting: records_in = loaded + quarantined + duplicates."""
    con.execute(f"insert into {RAW}._load_log values (?, ?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
                [result.load_id, result.source_system, result.entity, result.source_file, result.records_in,
                 result.loaded, result.quarantined, result.duplicates])


def land_batch(con: duckdb.DuckDBPyConnection, batch_dir: Path) -> list[LoadResult]:
    """Land a batch directory: `manifest.json` (source_system) plus one file per entity."""
    manifest_file = batch_dir / "manifest.json"
    if not manifest_file.exists():
        raise ValueError(f"{batch_dir}: no manifest.json (it names the source_system of the batch)")
    manifest = json.loads(manifest_file.read_text())
    source = manifest["source_system"]
    load_id = manifest.get("batch_id") or uuid.uuid4().hex[:12]
    files = {p.stem: p for p in batch_dir.iterdir() if p.suffix in READERS and p.name != "manifest.json"}
    unknown = sorted(set(files) - set(BY_ENTITY))
    if unknown:
        raise ValueError(f"{batch_dir.name}: unknown entity file(s) {', '.join(unknown)}")
    results = []
    ensure_raw_schema(con)
    con.execute("begin transaction")
    try:
        for contract in CONTRACTS:
            if contract.entity in files:
                results.append(land_file(con, source, contract.entity, files[contract.entity], load_id))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return results


def land_inbox(con: duckdb.DuckDBPyConnection, inbox: Path, archive: Path) -> list[LoadResult]:
    """Land every batch waiting in the inbox (oldest first), then move it to the archive."""
    ensure_raw_schema(con)
    results: list[LoadResult] = []
    if not inbox.exists():
        return results
    for batch_dir in sorted(p for p in inbox.glob("*/*") if p.is_dir()):
        log.info("landing %s", batch_dir.relative_to(inbox))
        results += land_batch(con, batch_dir)
        dest = archive / batch_dir.relative_to(inbox)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.move(str(batch_dir), str(dest))
    return results


def write_batch(tables: dict, inbox: Path, source: str, batch_id: str | None = None) -> Path:
    """Write polars frames as an export batch (one Parquet file per entity) into the inbox."""
    batch_id = batch_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    batch_dir = inbox / source / batch_id
    batch_dir.mkdir(parents=True, exist_ok=True)
    for entity, frame in tables.items():
        if entity not in BY_ENTITY:
            raise ValueError(f"unknown entity {entity}")
        frame.write_parquet(batch_dir / f"{entity}.parquet", statistics=False)
    (batch_dir / "manifest.json").write_text(json.dumps({
        "source_system": source, "batch_id": batch_id, "entities": {k: v.height for k, v in tables.items()}}))
    return batch_dir


def summarise(results: list[LoadResult]) -> list[dict]:
    return [asdict(r) for r in results]
