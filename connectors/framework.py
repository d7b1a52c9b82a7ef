"""What every connector shares: chunks of export-format records, cursors, payloads, deletions, one run.

A connector yields `Chunk`s. Each chunk lands in one transaction together with the cursor it reached,
so a run that stops half way resumes from the last landed chunk and never lands anything twice.
"""

from __future__ import annotations

import json
import os
import queue
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import duckdb
import polars as pl

from connectors.contracts import BY_ENTITY, CONTRACTS
from connectors.landing import RAW, LoadResult, ensure_raw_schema, land_frame, land_relation


class ConnectorError(Exception):
    """A problem the user can fix (bad option, missing credential, unreachable or refusing server)."""


@dataclass
class Chunk:
    """Records in the export format plus what was received, what was deleted and where the read got to."""

    # entity -> records: a polars frame, or the name of a relation on the run's connection (bulk files)
    frames: dict[str, pl.DataFrame | str] = field(default_factory=dict)
    payloads: list[tuple[str, str, Any]] = field(default_factory=list)  # (object_type, object_id, payload)
    payload_relation: str | None = None  # or a relation of (object_type, object_id, payload)
    payload_frame: pl.DataFrame | None = None  # or a frame of them
    label: str | None = None  # what the records came from (a file name), for the load log
    id_map: list[tuple[str, str, str]] = field(default_factory=list)  # (object_type, native id, record id)
    flush_after: bool = False  # land now: the next stream looks up what this one brought
    _parts: dict[str, list[pl.DataFrame]] = field(default_factory=dict, repr=False)
    deletions: list[tuple[str, str, datetime | None]] = field(default_factory=list)  # (entity, id, when)
    cursors: dict[str, str] = field(default_factory=dict)  # stream -> cursor after this chunk

    def records(self) -> int:
        frames = sum(f.height for f in self.frames.values() if not isinstance(f, str))
        return frames + sum(f.height for parts in self._parts.values() for f in parts) + len(self.payloads)

    def merge(self, other: Chunk) -> None:
        """Take in a later chunk (API pages are landed several at a time; frames are joined once, at landing)."""
        for entity, frame in other.frames.items():
            if isinstance(frame, str):
                raise ValueError("relation chunks are landed on their own")
            self._parts.setdefault(entity, []).append(frame)
        self.payloads += other.payloads
        self.deletions += other.deletions
        self.id_map += other.id_map
        self.flush_after = other.flush_after
        self.cursors |= other.cursors

    def collect(self) -> None:
        """Join the frames merged in from later chunks."""
        for entity, parts in self._parts.items():
            current = self.frames.get(entity)
            self.frames[entity] = pl.concat(([current] if current is not None else []) + parts,
                                            how="diagonal_relaxed")
        self._parts = {}

    def add(self, entity: str, rows: list[dict]) -> None:
        if entity not in BY_ENTITY:
            raise ValueError(f"unknown entity {entity}")
        if rows:
            frame = pl.DataFrame(rows, infer_schema_length=None)
            self.frames[entity] = pl.concat([self.frames[entity], frame], how="diagonal_relaxed") \
                if entity in self.frames else frame


@dataclass
class RunResult:
    source_system: str
    load_id: str
    results: list[LoadResult]
    payloads: int = 0
    deletions: int = 0
    chunks: int = 0

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for r in self.results:
            t = out.setdefault(r.entity, dict(records_in=0, loaded=0, quarantined=0, duplicates=0))
            for k in t:
                t[k] += getattr(r, k)
        return out


class Connector:
    """Base of every connector: options in, chunks out. Subclasses set `name`, `title` and `chunks()`."""

    name: ClassVar[str]
    title: ClassVar[str]
    options_help: ClassVar[dict[str, str]] = {}
    prefetch: ClassVar[bool] = False
    con: duckdb.DuckDBPyConnection  # the run's warehouse connection (bulk file connectors read through it)

    def __init__(self, source_system: str, options: dict[str, Any], cursors: dict[str, str]):
        self.source_system = source_system
        self.options = options
        self.cursors = cursors

    def chunks(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def prefetches(self) -> bool:
        """API connectors fetch the next pages while the last batch lands (its own connection for lookups);
        file connectors build relations on the run's connection and do not."""
        return self.prefetch

    def option(self, key: str, default: Any = None, required: bool = False) -> Any:
        value = self.options.get(key, default)
        if required and value in (None, ""):
            raise ConnectorError(f"{self.name}: option {key!r} is required ({self.options_help.get(key, '')})")
        return value

    def secret(self, key: str) -> str | None:
        """A credential, read from the environment variable that option `<key>_env` names."""
        env_name = self.options.get(f"{key}_env")
        if not env_name:
            return None
        value = os.environ.get(env_name)
        if value is None:
            raise ConnectorError(f"{self.name}: environment variable {env_name} is not set (it holds the {key})")
        return value


def utc_naive(value: str | None) -> datetime | None:
    """An ISO 8601 time as naive UTC: one with an offset ('Z', '+08:00') is converted, a naive one is kept."""
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def add_reference_links(links: dict[str, dict], request_id: str, text: str, patterns: dict[str, str],
                        at: datetime | None) -> None:
    """Links from `request_id` to the requests of other sources whose reference numbers appear in `text`
    (`patterns`: source -> regex), into `links` by link id (a reference found again replaces the earlier)."""
    for source, pattern in patterns.items():
        for ref in sorted(set(re.findall(pattern, text or ""))):
            link_id = f"{request_id}:{source}:{ref}"
            links[link_id] = {"link_id": link_id, "request_id": request_id, "linked_source_system": source,
                              "linked_request_id": ref, "link_type": "reference_in_text", "linked_at": at}


def lookup_ids(con: duckdb.DuckDBPyConnection, source: str, object_types: tuple[str, ...],
               native_ids: set[str]) -> dict[str, str]:
    """Record ids (e.g. ServiceNow numbers) of native ids (sys_ids) that earlier chunks or runs mapped."""
    if not native_ids:
        return {}
    frame = pl.DataFrame({"native_id": sorted(native_ids)})
    con.register("_lookup", frame)
    try:
        rows = con.execute(f"""select m.native_id, m.record_id from {RAW}._id_map m join _lookup l using (native_id)
                               where m.source_system = ? and m.object_type in ({", ".join("?" * len(object_types))})""",
                           [source, *object_types]).fetchall()
    finally:
        con.unregister("_lookup")
    return dict(rows)


def read_cursors(con: duckdb.DuckDBPyConnection, source_system: str) -> dict[str, str]:
    rows = con.execute(f"select stream, cursor from {RAW}._cursors where source_system = ?", [source_system])
    return dict(rows.fetchall())


def _payload_frame(payloads: list[tuple[str, str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(t, str(i), p if isinstance(p, str) else json.dumps(p, ensure_ascii=False, default=str))
         for t, i, p in payloads], schema=["object_type", "object_id", "payload"], orient="row")


def _land_payloads(con: duckdb.DuckDBPyConnection, source: str, load_id: str, payloads: pl.DataFrame | str) -> int:
    """Keep what was received as JSON, once: an identical payload received again is not stored twice."""
    if not isinstance(payloads, str):
        con.register("_payload_frame", payloads)
    relation = payloads if isinstance(payloads, str) else "_payload_frame"
    try:
        return con.execute(f"""
            insert into {RAW}._payloads
            select ?, object_type, object_id, payload::json, ?, now()::timestamp, h
            from (select *, hash(object_type, object_id, payload::varchar) as h from {relation}) f
            where not exists (select 1 from {RAW}._payloads p where p._record_hash = f.h and p.source_system = ?)
            qualify row_number() over (partition by h) = 1
            """, [source, load_id, source]).fetchone()[0]
    finally:
        if not isinstance(payloads, str):
            con.unregister("_payload_frame")


def land_chunk(con: duckdb.DuckDBPyConnection, source: str, chunk: Chunk, load_id: str, label: str,
               run: RunResult) -> None:
    """Land one chunk in one transaction: records (parents first), payloads, deletions, cursors."""
    chunk.collect()
    con.execute("begin transaction")
    try:
        for contract in CONTRACTS:
            frame = chunk.frames.get(contract.entity)
            if isinstance(frame, str):
                run.results.append(land_relation(con, source, contract.entity, frame, load_id, label))
            elif frame is not None and frame.height:
                run.results.append(land_frame(con, source, contract.entity, frame, load_id, label))
        if chunk.payloads:
            run.payloads += _land_payloads(con, source, load_id, _payload_frame(chunk.payloads))
        if chunk.payload_frame is not None:
            run.payloads += _land_payloads(con, source, load_id, chunk.payload_frame)
        if chunk.payload_relation:
            run.payloads += _land_payloads(con, source, load_id, chunk.payload_relation)
        if chunk.id_map:
            frame = pl.DataFrame(chunk.id_map, schema=["object_type", "native_id", "record_id"], orient="row")
            con.register("_id_frame", frame)
            con.execute(f"""insert or replace into {RAW}._id_map
                            select distinct ?, object_type, native_id, record_id from _id_frame""", [source])
            con.unregister("_id_frame")
        for entity, record_id, deleted_at in chunk.deletions:
            con.execute(f"insert into {RAW}._deletions values (?, ?, ?, ?, ?, now()::timestamp)",
                        [source, entity, str(record_id), deleted_at, load_id])
        run.deletions += len(chunk.deletions)
        for stream, cursor in chunk.cursors.items():
            con.execute(f"""insert or replace into {RAW}._cursors values (?, ?, ?, ?)""",
                        [source, stream, cursor, datetime.now(UTC).replace(tzinfo=None)])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    run.chunks += 1


def run_connector(con: duckdb.DuckDBPyConnection, connector_cls: type[Connector], source_system: str,
                  options: dict[str, Any], full_refresh: bool = False, batch_records: int = 50_000,
                  on_batch: Callable[[RunResult], None] | None = None) -> RunResult:
    """Run one connector into the raw schema: cursors read first, each chunk landed with its cursor.

    Small chunks (API pages) are gathered up to `batch_records` before landing, so memory stays bounded
    by the batch, not the run, and landing is not paid per page."""
    ensure_raw_schema(con)
    # DuckDB keeps what it wrote in memory up to its limit: bound it, so a run's memory does not grow with it
    con.execute(f"set memory_limit = '{os.environ.get('ESM_INGEST_MEMORY_LIMIT', '1GB')}'")
    # each batch is durable at its commit (the write-ahead log); the table files are rewritten once, at the end,
    # not at every batch, whose cost grows with the tables
    con.execute(f"set checkpoint_threshold = '{os.environ.get('ESM_INGEST_CHECKPOINT', '256MB')}'")
    if full_refresh:
        con.execute(f"delete from {RAW}._cursors where source_system = ?", [source_system])
    connector = connector_cls(source_system, options, read_cursors(con, source_system))
    prefetch = connector.prefetches()
    connector.con = con.cursor() if prefetch else con
    load_id = f"{source_system}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    run = RunResult(source_system, load_id, [])
    pending: Chunk | None = None

    def flush(chunk: Chunk) -> None:
        land_chunk(con, source_system, chunk, load_id, chunk.label or f"{connector.name}#{run.chunks + 1}", run)
        connector.cursors.update(chunk.cursors)
        if on_batch is not None:
            on_batch(run)

    source = _prefetched(connector.chunks()) if prefetch else ((c, None) for c in connector.chunks())
    while True:
        try:
            chunk, landed = next(source)
        except StopIteration:
            break
        except Exception:
            if pending is not None:  # what was read before the failure is good: land it with its cursor
                flush(pending)
            raise
        if any(isinstance(f, str) for f in chunk.frames.values()) or chunk.payload_frame is not None:
            if pending:  # relations and payload frames are not merged: they land on their own, in order
                flush(pending)
                pending = None
            flush(chunk)
        else:
            if pending is None:
                pending = chunk
            else:
                pending.merge(chunk)
            if pending.records() >= batch_records or pending.flush_after:
                flush(pending)
                pending = None
        if landed is not None:  # the producer waits for this chunk to be landed before it reads on
            landed.set()
    if pending is not None:
        flush(pending)
    con.execute("checkpoint")
    return run


_DONE = object()


def _prefetched(chunks: Iterator[Chunk], depth: int = 8) -> Iterator[tuple[Chunk, threading.Event | None]]:
    """Run the connector's generator in a thread, `depth` chunks ahead of landing (memory stays bounded).
    A chunk marked flush_after holds the producer until it has been landed; errors reach the caller."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                landed = threading.Event() if chunk.flush_after else None
                if not put((chunk, landed)):
                    return
                while landed is not None and not landed.wait(0.2):
                    if stop.is_set():
                        return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            chunks.close()

    worker = threading.Thread(target=produce, name="connector-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=10)
