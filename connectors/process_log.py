"""Process-mining event logs: XES (IEEE 1849) and CSV (case, activity, timestamp, resource).

A case becomes a request (opened at its first event, resolved at its last when that is an end activity, or
at its last event when no end activities are given); each event becomes a task step completed at the event's
time, started at the previous event of the case (or at its own `start` lifecycle event), done by its resource.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from connectors.framework import Chunk, Connector, ConnectorError, utc_naive


def read_xes(path: Path) -> pl.DataFrame:
    """Stream the XES file: one row per event with case, activity, timestamp, resource, lifecycle."""
    rows: list[tuple] = []
    trace_events: list[dict] = []
    case: str | None = None
    attrs: dict[str, str] = {}
    in_event = False
    for event, elem in ET.iterparse(path, events=("start", "end")):
        tag = elem.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "trace":
                case, trace_events = None, []
            elif tag == "event":
                in_event, attrs = True, {}
            continue
        if tag in ("string", "date", "int", "float") and elem.get("key"):
            if in_event:
                attrs[elem.get("key")] = elem.get("value")
            elif elem.get("key") == "concept:name":
                case = elem.get("value")
        elif tag == "event":
            in_event = False
            trace_events.append(attrs)
            elem.clear()
        elif tag == "trace":
            for a in trace_events:
                ts = a.get("time:timestamp")
                rows.append((case, a.get("concept:name"), utc_naive(ts), a.get("org:resource"),
                             a.get("lifecycle:transition", "complete").lower()))
            elem.clear()
    return pl.DataFrame(rows, schema={"case_id": pl.String, "activity": pl.String, "timestamp": pl.Datetime("us"),
                                      "resource": pl.String, "lifecycle": pl.String}, orient="row")


def read_csv_log(path: Path, columns: dict[str, str], timestamp_format: str | None) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema_length=0)
    missing = [v for v in columns.values() if v not in frame.columns]
    if missing:
        raise ConnectorError(f"{path.name}: no column(s) {', '.join(missing)} (map them with the options "
                             "case_column, activity_column, timestamp_column, resource_column)")
    ts = pl.col(columns["timestamp"]).str.to_datetime(timestamp_format, strict=False, time_unit="us")
    return frame.select(pl.col(columns["case"]).alias("case_id"), pl.col(columns["activity"]).alias("activity"),
                        ts.alias("timestamp"),
                        (pl.col(columns["resource"]) if columns.get("resource") in frame.columns
                         else pl.lit(None, pl.String)).alias("resource"),
                        pl.lit("complete").alias("lifecycle"))


class ProcessLogConnector(Connector):
    name = "process_log"
    title = "Process-mining event logs: XES, or CSV with case, activity, timestamp and resource columns"
    options_help = {"file": "a .xes or .csv log", "end_activities": "comma-separated activities that resolve "
                    "a case (default: the last event resolves it)", "timezone": "zone of the log's naive times",
                    "case_column": "CSV: case id column (default case)", "activity_column": "default activity",
                    "timestamp_column": "default timestamp", "resource_column": "default resource",
                    "timestamp_format": "CSV: strptime format (default ISO)"}

    def chunks(self) -> Iterator[Chunk]:
        path = Path(self.option("file", required=True))
        if not path.exists():
            raise ConnectorError(f"process_log: no such file {path}")
        if path.suffix.lower() == ".xes":
            log = read_xes(path)
        elif path.suffix.lower() == ".csv":
            log = read_csv_log(path, {k: self.option(f"{k}_column", k) for k in
                                      ("case", "activity", "timestamp", "resource")},
                               self.option("timestamp_format"))
        else:
            raise ConnectorError(f"{path.name}: use a .xes or .csv event log")
        ends = [a.strip() for a in str(self.option("end_activities", "")).split(",") if a.strip()]
        tz = self.option("timezone", "UTC")
        # a step starts at its own `start` event when the log has one, else when the case's previous step ended
        log = log.sort("case_id", "timestamp", maintain_order=True).with_columns(
            pl.when((pl.col("lifecycle").shift(1).over("case_id") == "start")
                    & (pl.col("activity").shift(1).over("case_id") == pl.col("activity")))
            .then(pl.col("timestamp").shift(1).over("case_id")).alias("start_at"))
        log = log.filter(pl.col("lifecycle") != "start").with_columns(
            pl.col("timestamp").shift(1).over("case_id").alias("previous_at"),
            pl.int_range(pl.len()).over("case_id").alias("seq"))
        cases = log.group_by("case_id", maintain_order=True).agg(
            pl.col("timestamp").min().alias("opened_at"), pl.col("timestamp").max().alias("last_at"),
            pl.col("activity").last().alias("last_activity"), pl.col("resource").drop_nulls().first().alias("agent"))
        resolved = pl.col("last_at")
        if ends:
            resolved = pl.when(pl.col("last_activity").is_in(ends)).then(pl.col("last_at")).otherwise(None)
        requests = cases.select(
            pl.col("case_id").alias("request_id"), pl.col("opened_at"), resolved.alias("resolved_at"),
            pl.col("last_at").alias("updated_at"), pl.lit("other").alias("channel"), pl.lit("P3").alias("priority"),
            pl.when(resolved.is_null()).then(pl.lit("in_progress")).otherwise(pl.lit("resolved")).alias("status"),
            pl.col("agent").alias("agent_id"), pl.lit(tz).alias("timezone"),
            pl.lit(path.stem).alias("source_category"))
        tasks = log.select(
            (pl.col("case_id") + ":" + pl.col("seq").cast(pl.String)).alias("task_id"),
            pl.col("case_id").alias("request_id"), pl.col("activity").alias("step"),
            pl.col("resource").alias("agent_id"), pl.col("seq").cast(pl.Int64),
            pl.coalesce("start_at", "previous_at", "timestamp").alias("created_at"),
            pl.col("timestamp").alias("completed_at"),
            pl.lit("done").alias("status"), pl.lit(False).alias("is_automated"))
        payloads = log.select(pl.lit("event").alias("object_type"),
                              (pl.col("case_id") + ":" + pl.col("seq").cast(pl.String)).alias("object_id"),
                              pl.struct("case_id", "activity", "timestamp", "resource", "lifecycle")
                              .struct.json_encode().alias("payload"))
        yield Chunk(frames={"requests": requests, "tasks": tasks}, payload_frame=payloads, label=path.name)
