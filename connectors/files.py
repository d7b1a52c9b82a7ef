"""Files: CSV, XLSX, JSON and JSONL exports of any tool, mapped to the export format by a YAML file.

A mapping names the entity the file holds and, per export-format column, the source column (with a
timestamp format where needed), constants, and value maps (source status words -> canonical states):

    entity: requests
    timezone: Asia/Shanghai            # naive timestamps are local time here
    timestamp_format: "%Y/%m/%d %H:%M"  # default for every timestamp column; else ISO is expected
    columns:
      request_id: Ticket No
      opened_at: {column: Created, format: "%d.%m.%Y %H:%M"}
      status: Status
    constants: {channel: email}
    values:
      status: {Open: in_progress, Waiting for customer: waiting_on_requester, Done: resolved}

CSV and JSON go through DuckDB's own readers (streamed, no Python per row); XLSX through fastexcel.
The received file is kept as it came (content-addressed, under $ESM_HOME/landing/received) and named in the
payloads. Values that do not parse go to quarantine with the reason and the text received.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from connectors.contracts import BY_ENTITY
from connectors.framework import Chunk, Connector, ConnectorError
from connectors.landing import RAW_HINT
from connectors.sql import ident, quote, value_map

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".xlsx": "xlsx", ".xls": "xlsx"}


def keep_received_file(path: Path, kind: str) -> tuple[str, str, dict]:
    """Keep a received export as it came (content-addressed under $ESM_HOME/landing/received); its payload row
    says where. A bulk file is its own payload: one copy, not a JSON document per row."""
    import hashlib
    import shutil

    from esm.settings import paths

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    sha = digest.hexdigest()
    target = paths().home / "landing" / "received" / f"{sha[:16]}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return "received_file", f"{path.name}@{sha[:16]}", {"file": path.name, "format": kind, "sha256": sha,
                                                        "kept_at": str(target), "bytes": path.stat().st_size}


def load_mapping(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ConnectorError(f"files: no such mapping file {path}")
    mapping = yaml.safe_load(path.read_text()) or {}
    entity = mapping.get("entity")
    if entity not in BY_ENTITY:
        raise ConnectorError(f"{path.name}: `entity` must be one of {', '.join(BY_ENTITY)}")
    columns = BY_ENTITY[entity].columns
    targets = set(mapping.get("columns") or {}) | set(mapping.get("constants") or {})
    unknown = sorted(targets - set(columns))
    if unknown:
        raise ConnectorError(f"{path.name}: {entity} has no column(s) {', '.join(unknown)} "
                             f"(the format has {', '.join(columns)})")
    bad_values = sorted(set(mapping.get("values") or {}) - set(mapping.get("columns") or {}))
    if bad_values:
        raise ConnectorError(f"{path.name}: value maps for unmapped column(s) {', '.join(bad_values)}")
    return mapping


def select_list(mapping: dict[str, Any], source_columns: list[str], label: str) -> str:
    """The SELECT list that turns a source row into an export-format record."""
    entity = mapping["entity"]
    types = BY_ENTITY[entity].columns
    default_format = mapping.get("timestamp_format")
    exprs = []
    for target, spec in (mapping.get("columns") or {}).items():
        spec = spec if isinstance(spec, dict) else {"column": spec}
        column = str(spec["column"])
        if column in source_columns:
            ref = ident(column)
        elif column.split(".")[0] in source_columns:  # a path into nested JSON: fields.status.name
            ref = ".".join(ident(part) for part in column.split("."))
        else:
            raise ConnectorError(f"{label}: mapped column {column!r} (for {target}) is not in the file "
                                 f"(it has {', '.join(source_columns)})")
        expr = f"nullif(trim(cast({ref} as varchar)), '')"
        values = (mapping.get("values") or {}).get(target)
        if values:
            fallback = quote(mapping["values_default"][target]) if target in (mapping.get("values_default") or {}) \
                else expr
            expr = value_map(expr, values, fallback)
        fmt = spec.get("format") or (default_format if types[target] == "timestamp" else None)
        if fmt and types[target] == "timestamp":
            # parsed here; what does not parse travels beside it as text, and landing quarantines the record
            parsed = f"try_strptime({expr}, {quote(fmt)})"
            exprs.append(f"{parsed} as {ident(target)}")
            exprs.append(f"case when {expr} is not null and {parsed} is null then {expr} end "
                         f"as {ident(RAW_HINT + target)}")
            continue
        exprs.append(f"{expr} as {ident(target)}")
    for target, value in (mapping.get("constants") or {}).items():
        exprs.append(f"{quote(value)} as {ident(target)}")
    if entity == "requests" and "timezone" not in (mapping.get("columns") or {}) \
            and "timezone" not in (mapping.get("constants") or {}):
        exprs.append(f"{quote(mapping.get('timezone', 'UTC'))} as timezone")
    return ", ".join(exprs)


class FilesConnector(Connector):
    name = "files"
    title = "Files: CSV, XLSX, JSON/JSONL exports with a YAML column mapping (--file, --mapping)"
    options_help = {"file": "a file, or a folder of files with the same layout",
                    "mapping": "the YAML column mapping", "sheet": "XLSX sheet name (default the first)"}

    def chunks(self) -> Iterator[Chunk]:
        mapping = load_mapping(Path(self.option("mapping", required=True)))
        if self.option("timezone"):
            mapping["timezone"] = self.option("timezone")
        root = Path(self.option("file", required=True))
        if not root.exists():
            raise ConnectorError(f"files: no such file or folder {root}")
        files = sorted(p for p in root.iterdir() if p.suffix.lower() in FORMATS) if root.is_dir() else [root]
        for path in files:
            yield self._file_chunk(path, mapping)

    def _file_chunk(self, path: Path, mapping: dict[str, Any]) -> Chunk:
        kind = mapping.get("format") or FORMATS.get(path.suffix.lower())
        if kind is None:
            raise ConnectorError(f"{path.name}: unknown file type (use {', '.join(sorted(set(FORMATS.values())))} "
                                 "or set `format:` in the mapping)")
        con = self.con
        name = f"_file_{abs(hash(path.name)) % 10**8}"
        p = quote(str(path))
        if kind == "csv":
            delim = f", delim = {quote(mapping['delimiter'])}" if mapping.get("delimiter") else ""
            con.execute(f"create or replace temp view {name} as select * from read_csv({p}, header = true, "
                        f"all_varchar = true{delim})")
        elif kind in ("json", "jsonl"):
            fmt = "newline_delimited" if kind == "jsonl" else "auto"
            con.execute(f"create or replace temp view {name} as select * from read_json({p}, format = '{fmt}')")
        else:
            try:
                frame = pl.read_excel(path, sheet_name=mapping.get("sheet") or self.option("sheet"),
                                      infer_schema_length=0)
            except Exception as exc:  # fastexcel raises its own types for a missing sheet or a broken file
                raise ConnectorError(f"{path.name}: cannot read the workbook: {exc}") from None
            con.register(f"{name}_frame", frame)
            con.execute(f"create or replace temp view {name} as select * from {name}_frame")
        source_columns = [r[0] for r in con.execute(f"describe select * from {name}").fetchall()]
        selected = select_list(mapping, source_columns, path.name)
        con.execute(f"create or replace temp view {name}_mapped as select {selected} from {name}")
        return Chunk(frames={mapping["entity"]: f"{name}_mapped"}, payloads=[keep_received_file(path, kind)],
                     label=path.name)
