"""Connector throughput: records per second into the raw tables, and peak memory, for
- file exports through the files connector (DuckDB's CSV reader + YAML mapping) and through dlt (merge on key),
  beside the floor: one plain copy of the same CSV into a DuckDB table,
- the real ServiceNow event log (141,712 snapshots),
- API pages: the Zendesk incremental tickets export from a local server (its own process), through the
  connector and through a dlt resource that pages the same API.

Each case runs in a child process (peak RSS from wait4 is its own); the child times only the load.

    .venv/bin/python benchmarks/connector_benchmark.py --records 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATASET = ROOT.parent / "shared" / "datasets" / "servicenow-incident-event-log" / "uci498_incident_event_log.zip"
TOKEN = "bench-token"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
MAPPING = """entity: requests
timezone: Asia/Shanghai
timestamp_format: "%Y-%m-%d %H:%M:%S"
columns: {request_id: Key, opened_at: Created, resolved_at: Resolved, status: Status, priority: Priority,
          subject: Summary, source_category: Type, assigned_group: Team}
constants: {channel: portal}
values:
  status: {Open: in_progress, Done: resolved, Waiting: waiting_on_requester}
  priority: {High: P2, Medium: P3, Low: P4}
"""


def write_export(path: Path, n: int) -> None:
    import polars as pl

    i = pl.int_range(0, n, eager=True)
    created = pl.datetime(2026, 1, 1) + pl.duration(minutes=i * 3)
    pl.select(
        Key=pl.format("T-{}", i), Created=created.dt.strftime("%Y-%m-%d %H:%M:%S"),
        Resolved=(created + pl.duration(hours=i % 48)).dt.strftime("%Y-%m-%d %H:%M:%S"),
        Status=pl.when(i % 3 == 0).then(pl.lit("Open")).when(i % 3 == 1).then(pl.lit("Done")).otherwise(
            pl.lit("Waiting")),
        Priority=pl.when(i % 3 == 0).then(pl.lit("High")).otherwise(pl.lit("Medium")),
        Summary=pl.format("Laptop will not boot, case {}", i), Type=pl.lit("Incident"),
        Team=pl.format("Team {}", i % 40)).write_csv(path)


# ---- a lazy Zendesk incremental tickets API (pages computed from the cursor, nothing held) ------------------
def ticket(i: int) -> dict:
    at = (EPOCH + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": i + 1, "subject": f"VPN drops {i}", "status": ("open", "pending", "solved")[i % 3],
            "priority": ("high", "normal", "low")[i % 3], "type": "incident", "via": {"channel": "web"},
            "requester_id": 10_000 + i % 5000, "group_id": 100 + i % 20, "assignee_id": None,
            "created_at": at, "updated_at": at, "tags": ["vpn"], "description": "x" * 200}


PAGE = 1000


def render_pages(n: int) -> list[bytes]:
    """Every tickets page of the export, rendered once before serving: the server answers from memory, so the
    connector, not the server, is what is measured."""
    pages = []
    for start in range(0, n, PAGE):
        page = [ticket(i) for i in range(start, min(n, start + PAGE))]
        end = start + len(page)
        pages.append(json.dumps({"tickets": page, "after_cursor": str(end), "end_of_stream": end >= n}).encode())
    return pages


def serve(n: int) -> None:
    pages = render_pages(n)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                body, status = {"error": "Couldn't authenticate you"}, 401
            elif url.path.endswith("/tickets/cursor.json"):
                start = int(q.get("cursor", 0))
                if int(q.get("per_page", PAGE)) == PAGE and start % PAGE == 0 and start < n:
                    return self._send(pages[start // PAGE], 200)
                page = [ticket(i) for i in range(start, min(n, start + int(q.get("per_page", PAGE))))]
                body, status = {"tickets": page, "after_cursor": str(start + len(page)),
                                "end_of_stream": start + len(page) >= n}, 200
            elif url.path.endswith("/groups"):
                body, status = {"groups": [{"id": 100 + g, "name": f"Group {g}"} for g in range(20)],
                                "meta": {"has_more": False}}, 200
            elif url.path.endswith("/users/cursor.json"):
                body, status = {"users": [], "after_cursor": "0", "end_of_stream": True}, 200
            elif url.path.endswith("ticket_events.json"):
                body, status = {"ticket_events": [], "end_time": 0, "end_of_stream": True}, 200
            else:
                body, status = {"satisfaction_ratings": [], "meta": {"has_more": False}}, 200
            self._send(json.dumps(body).encode(), status)

        def _send(self, data: bytes, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


# ---- the cases, each run inside a child process ----------------------------------------------------------
def case_main(case: str, work: Path, arg: str) -> dict:
    import duckdb

    os.environ["ESM_HOME"] = str(work / "home")
    warehouse = work / f"{case}.duckdb"
    if case == "files_floor":  # one plain copy of the CSV into a DuckDB table: what the disk and parser allow
        con = duckdb.connect(str(warehouse))
        started = time.perf_counter()
        con.execute(f"create table copy as select * from read_csv('{arg}', all_varchar = true)")
        return {"records": con.execute("select count(*) from copy").fetchone()[0],
                "seconds": time.perf_counter() - started}
    if case in ("files_native", "servicenow_log", "api_native"):
        from connectors.framework import run_connector

        con = duckdb.connect(str(warehouse))
        if case == "files_native":
            from connectors.files import FilesConnector as cls

            options = {"file": arg, "mapping": str(work / "mapping.yml")}
        elif case == "servicenow_log":
            from connectors.servicenow import ServiceNowConnector as cls

            options = {"file": arg}
        else:
            from connectors.zendesk import ZendeskConnector as cls

            os.environ["BENCH_TOKEN"] = TOKEN
            options = {"url": arg, "token_env": "BENCH_TOKEN", "page_size": 1000}
        import psutil

        rss: list[float] = []  # resident memory after each landed batch: flat if nothing accumulates
        started = time.perf_counter()
        run = run_connector(con, cls, "bench", options,
                            on_batch=lambda _: rss.append(psutil.Process().memory_info().rss / 2**20))
        seconds = time.perf_counter() - started
        records = sum(n["records_in"] for n in run.totals().values())  # every entity: requests, events, ...
        quarter = max(1, len(rss) // 4) - 1
        return {"records": records, "seconds": seconds,
                "rss_mb_at_quarter_and_end": [round(rss[quarter]), round(rss[-1])] if rss else None}
    import dlt

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ["DLT_DATA_DIR"] = str(work / "dlt")
    pipeline = dlt.pipeline(pipeline_name=case, destination=dlt.destinations.duckdb(str(warehouse)),
                            dataset_name="raw", pipelines_dir=str(work / "dlt"))
    if case == "files_dlt":
        import pyarrow.csv as pacsv

        @dlt.resource(name="requests", primary_key="Key", write_disposition="merge")
        def rows():
            yield from pacsv.open_csv(arg)

        started = time.perf_counter()
        pipeline.run(rows())
    else:  # api_dlt: the same API paged by a dlt resource with its incremental cursor
        import httpx

        @dlt.resource(name="tickets", primary_key="id", write_disposition="merge")
        def tickets(cursor=dlt.sources.incremental("updated_at")):
            with httpx.Client(base_url=arg, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
                params = {"per_page": 1000, "cursor": 0}
                while True:
                    body = client.get("/api/v2/incremental/tickets/cursor.json", params=params).json()
                    yield body["tickets"]
                    if body["end_of_stream"]:
                        return
                    params["cursor"] = body["after_cursor"]

        started = time.perf_counter()
        pipeline.run(tickets())
    seconds = time.perf_counter() - started
    con = duckdb.connect(str(warehouse), read_only=True)
    table = "requests" if case == "files_dlt" else "tickets"
    records = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
    return {"records": records, "seconds": seconds}


def run_case(case: str, work: Path, arg: str) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--case", case, "--work", str(work), "--arg", arg],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"case {case} failed:\n{out[-2000:]}\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    return result | {"peak_mb": usage.ru_maxrss / 1024, "per_second": result["records"] / result["seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-dlt", action="store_true")
    parser.add_argument("--case")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--arg")
    parser.add_argument("--serve", type=int)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    if args.case:
        print(json.dumps(case_main(args.case, args.work, args.arg)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="esm-conn-bench-") as tmp:
        work = Path(tmp)
        (work / "mapping.yml").write_text(MAPPING)
        if DATASET.exists():
            rows.append(("servicenow event log (real)", run_case("servicenow_log", work, str(DATASET))))
        for n in args.records:
            export = work / f"export_{n}.csv"
            write_export(export, n)
            rows.append((f"file export, plain DuckDB copy (floor), {n:,}", run_case("files_floor", work, str(export))))
            rows.append((f"file export, files connector, {n:,}", run_case("files_native", work, str(export))))
            if not args.skip_dlt:
                rows.append((f"file export, dlt merge, {n:,}", run_case("files_dlt", work, str(export))))
            server = subprocess.Popen([sys.executable, __file__, "--serve", str(n)], stdout=subprocess.PIPE)
            url = f"http://127.0.0.1:{int(server.stdout.readline())}"
            try:
                rows.append((f"API pages, zendesk connector, {n:,}", run_case("api_native", work, url)))
                if not args.skip_dlt:
                    rows.append((f"API pages, dlt resource + merge, {n:,}", run_case("api_dlt", work, url)))
            finally:
                server.terminate()
            for f in work.glob("*.duckdb"):
                f.unlink()
    print(f"{'case':<50} {'records':>10} {'seconds':>8} {'records/s':>10} {'peak MB':>8}  RSS MB after 1/4, all")
    for name, r in rows:
        track = r.get("rss_mb_at_quarter_and_end")
        print(f"{name:<50} {r['records']:>10,} {r['seconds']:>8.1f} {r['per_second']:>10,.0f} {r['peak_mb']:>8.0f}"
              f"  {track[0]:>5} {track[1]:>5}" if track else
              f"{name:<50} {r['records']:>10,} {r['seconds']:>8.1f} {r['per_second']:>10,.0f} {r['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
