"""`esm`: simulate the demo company, build and publish the warehouse, serve the dashboard, report status."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

from esm.settings import PROJECT_ROOT, paths

log = logging.getLogger("esm")


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback."""


def _step(message: str) -> float:
    print(f"• {message}", file=sys.stderr, flush=True)
    return time.perf_counter()


def _done(started: float, detail: str = "") -> None:
    print(f"  done in {time.perf_counter() - started:.1f} s{(' — ' + detail) if detail else ''}",
          file=sys.stderr, flush=True)


def cmd_simulate(n_requests: int, seed: int) -> Path:
    from connectors.landing import write_batch
    from simulator.company import SOURCE_SYSTEM
    from simulator.generate import simulate

    t = _step(f"simulating the demo company: {n_requests:,} requests, seed {seed}")
    sim = simulate(n_requests, seed)
    batch = write_batch(sim.tables, paths().inbox, SOURCE_SYSTEM)
    _done(t, f"{sum(f.height for f in sim.tables.values()):,} records in {batch.name}")
    return batch


def cmd_build() -> None:
    """Run the whole asset graph in-process; publish happens only when every blocking check passes."""
    p = paths()
    p.home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(p.home / "dagster"))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    t = _step("loading the pipeline (dbt manifest, Dagster definitions)")
    from pipelines.definitions import defs

    _done(t)
    t = _step("building: raw landing -> dbt build (staging, intermediate, marts, tests) -> GX checks -> publish")
    job = defs.resolve_implicit_global_asset_job_def()
    build_log = p.home / "logs" / f"build-{time.strftime('%Y%m%dT%H%M%S')}.log"
    build_log.parent.mkdir(parents=True, exist_ok=True)
    with build_log.open("w") as out, contextlib.redirect_stdout(out):  # dbt's own log lines go to the file
        result = job.execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}}, raise_on_error=False)
    from dagster import AssetCheckSeverity

    evaluations = result.get_asset_check_evaluations()
    failed_checks = [e for e in evaluations if not e.passed and e.severity == AssetCheckSeverity.ERROR]
    warnings_ = [e for e in evaluations if not e.passed and e.severity != AssetCheckSeverity.ERROR]
    if not result.success or failed_checks:
        reasons = [f"check {e.asset_check_key.name} on {'/'.join(e.asset_key.path)} failed" for e in failed_checks]
        for ev in result.all_events:
            if ev.is_step_failure:
                err = ev.step_failure_data.error
                reasons.append(f"step {ev.step_key}: {err.message.strip().splitlines()[0] if err else 'failed'}")
        published = "the last published warehouse is still in place" if p.published.exists() else "nothing is published"
        raise UserError("build failed; " + published + ":\n  " + "\n  ".join(reasons or ["see the Dagster logs"])
                        + f"\n  dbt log: {build_log}")
    for e in warnings_:
        print(f"  warning: check {e.asset_check_key.name} on {'/'.join(e.asset_key.path)} did not pass",
              file=sys.stderr)
    _done(t, f"{len(evaluations) - len(warnings_)} of {len(evaluations)} checks passed; published {p.published}")


def cmd_serve(port: int) -> None:
    p = paths()
    if not p.published.exists():
        raise UserError(f"no published warehouse at {p.published}: run `esm demo` or `esm build` first")
    app = PROJECT_ROOT / "dashboards" / "app.py"
    print(f"• serving the dashboard on http://127.0.0.1:{port}  (Ctrl+C to stop)", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
                    "--server.address", "127.0.0.1", "--server.headless", "true",
                    "--browser.gatherUsageStats", "false",
                    "--client.toolbarMode", "viewer"], check=False)


def cmd_status(as_json: bool) -> None:
    from esm.status import warehouse_status

    p = paths()
    try:
        status = warehouse_status(p.published)
    except FileNotFoundError:
        raise UserError(f"no published warehouse at {p.published}: run `esm demo` or `esm build` first") from None
    if as_json:
        print(json.dumps(status, indent=2, ensure_ascii=False))
        return
    print(f"published warehouse: {status['published_file']}")
    print(f"built at (UTC):      {status['built_at']}")
    print("rows:")
    for table, n in status["rows"].items():
        print(f"  {table:<20} {n:>12,}")
    print("sources:            records in       loaded  quarantined   duplicates")
    for source, s in status["sources"].items():
        if "records_in" not in s:
            continue
        print(f"  {source:<16} {s['records_in']:>12,} {s['loaded']:>12,} {s['quarantined']:>12,} "
              f"{s['duplicates_dropped']:>12,}")
        run = s.get("last_run")
        if run:
            print(f"      last run {run['load_id']}: {run['records_in']:,} in = {run['loaded']:,} loaded + "
                  f"{run['quarantined']:,} quarantined + {run['duplicates_dropped']:,} duplicates")
        if s.get("deletions"):
            print(f"      deletions honoured: {s['deletions']:,}")
        for stream, c in s.get("cursors", {}).items():
            print(f"      cursor {stream}: {c['cursor']}")
        for r in s.get("quarantine_reasons", []):
            print(f"      quarantined {r['entity']}: {r['reason']} × {r['count']:,}")


def cmd_connectors() -> None:
    from connectors.registry import CONNECTORS, connector_class, load_sources
    from esm.settings import config_dir

    print("connectors:")
    for name in CONNECTORS:
        cls = connector_class(name)
        print(f"  {name:<17} {cls.title}")
    sources = load_sources(config_dir())
    print(f"configured sources ({config_dir() / 'sources.yml'}):" if sources else
          f"no configured sources ({config_dir() / 'sources.yml'} does not list any)")
    for s in sources:
        print(f"  {s.name:<17} connector {s.connector}")


def _progress(run) -> None:
    """A line per landed batch, for long ingests."""
    landed = sum(n["records_in"] for n in run.totals().values())
    print(f"    batch {run.chunks}: {landed:,} records so far", file=sys.stderr, flush=True)


def cmd_ingest(target: str, source_system: str | None, options: dict, full_refresh: bool) -> None:
    """Run one connector, or one configured source, into the working warehouse's raw tables."""
    import duckdb

    from connectors.framework import ConnectorError, run_connector
    from connectors.registry import CONNECTORS, connector_class, load_sources
    from esm.settings import config_dir

    try:
        configured = {s.name: s for s in load_sources(config_dir())}
        if target in configured:
            source = configured[target]
            connector, name, opts = source.connector, source_system or source.name, source.options | options
        elif target in CONNECTORS:
            connector, name, opts = target, source_system or target, options
        else:
            raise UserError(f"no connector or configured source named {target!r} (see `esm connectors`)")
        cls = connector_class(connector)
        p = paths()
        p.home.mkdir(parents=True, exist_ok=True)
        t = _step(f"ingesting with {connector} as source {name}")
        con = duckdb.connect(str(p.warehouse))
        try:
            run = run_connector(con, cls, name, opts, full_refresh=full_refresh, on_batch=_progress)
        finally:
            con.close()
    except ConnectorError as exc:
        raise UserError(str(exc)) from None
    except duckdb.IOException as exc:
        raise UserError(f"cannot open the warehouse {paths().warehouse}: {exc}") from None
    totals = run.totals()
    _done(t, f"{run.chunks} chunk(s), load {run.load_id}")
    print(f"{'entity':<20} {'records in':>12} {'loaded':>12} {'quarantined':>12} {'duplicates':>12}")
    for entity, n in totals.items():
        print(f"{entity:<20} {n['records_in']:>12,} {n['loaded']:>12,} {n['quarantined']:>12,} {n['duplicates']:>12,}")
    print(f"payloads kept: {run.payloads:,}; deletions: {run.deletions:,}")
    if not totals:
        print("nothing new since the last run")


def cmd_sla_whatif(policy_file: Path, as_json: bool) -> None:
    from esm.whatif import what_if
    from pipelines.project import dbt_executable

    if not policy_file.exists():
        raise UserError(f"no such policy file: {policy_file}")
    t = _step(f"recomputing SLA history under {policy_file} (the published warehouse is not touched)")
    try:
        rows = what_if(paths(), policy_file.resolve(), dbt_executable())
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:  # a policy file that does not validate
        raise UserError(f"{policy_file}: {exc}") from None
    _done(t)
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    print(f"{'subject':<8} {'target':<11} {'targets':>9} {'breached now':>13} {'proposed':>9} "
          f"{'met->breach':>12} {'breach->met':>12} {'attainment now -> proposed':>28}")
    for r in rows:
        now, new = r["attainment_now"], r["attainment_proposed"]
        att = f"{now:.1%} -> {new:.1%}" if now is not None and new is not None else "–"
        print(f"{r['subject_type']:<8} {r['target_type']:<11} {r['targets']:>9,} {r['breached_now']:>13,} "
              f"{r['breached_proposed']:>9,} {r['met_to_breached']:>12,} {r['breached_to_met']:>12,} {att:>28}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="esm", description="ESM Warehouse: enterprise service management analytics")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="simulate the demo company, build, publish and serve the dashboard")
    demo.add_argument("--requests", type=int, default=50_000, help="number of requests to simulate (default 50000)")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--no-serve", action="store_true", help="stop after publishing")
    demo.add_argument("--port", type=int, default=8501)
    sub.add_parser("build", help="run the pipeline on the landed raw data; publish on success")
    serve = sub.add_parser("serve", help="serve the dashboard from the published warehouse")
    serve.add_argument("--port", type=int, default=8501)
    status = sub.add_parser("status", help="published warehouse, row counts and per-source load accounting")
    status.add_argument("--json", action="store_true")
    whatif = sub.add_parser("sla-whatif", help="recompute SLA history under a proposed policy file and compare")
    whatif.add_argument("policy_file", type=Path)
    whatif.add_argument("--json", action="store_true")
    sub.add_parser("connectors", help="list the connectors and the sources configured in sources.yml")
    ingest = sub.add_parser("ingest", help="run a connector (or a configured source) into the raw tables")
    ingest.add_argument("connector", help="connector name, or the name of a source in sources.yml")
    ingest.add_argument("--source-system", help="name the records carry (default: the source or connector name)")
    ingest.add_argument("--file", help="a file (or folder) to load, for file-based connectors")
    ingest.add_argument("--url", help="the API's base URL, for API connectors")
    ingest.add_argument("--mapping", help="a YAML column mapping, for the files connector")
    ingest.add_argument("--timezone", help="time zone of naive timestamps in the source")
    ingest.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="any other connector option (repeatable); see the connector's options")
    ingest.add_argument("--full-refresh", action="store_true", help="forget the cursors and read everything")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # libraries that set INFO on their own loggers stay quiet
        handler.setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=r"sqlglot\[rs\]")
    progress = logging.StreamHandler(sys.stderr)
    progress.setFormatter(logging.Formatter("    %(message)s"))
    pipeline_log = logging.getLogger("esm.pipeline")
    pipeline_log.setLevel(logging.INFO)
    pipeline_log.addHandler(progress)
    pipeline_log.propagate = False
    try:
        if args.command == "demo":
            if args.requests < 100:
                raise UserError("--requests must be at least 100")
            cmd_simulate(args.requests, args.seed)
            cmd_build()
            if not args.no_serve:
                cmd_serve(args.port)
        elif args.command == "build":
            cmd_build()
        elif args.command == "serve":
            cmd_serve(args.port)
        elif args.command == "status":
            cmd_status(args.json)
        elif args.command == "connectors":
            cmd_connectors()
        elif args.command == "ingest":
            options = {k: v for k, v in (("file", args.file), ("url", args.url), ("mapping", args.mapping),
                                         ("timezone", args.timezone)) if v}
            for item in args.option:
                key, sep, value = item.partition("=")
                if not sep:
                    raise UserError(f"--option {item!r}: use KEY=VALUE")
                options[key] = value
            cmd_ingest(args.connector, args.source_system, options, args.full_refresh)
        elif args.command == "sla-whatif":
            cmd_sla_whatif(args.policy_file, args.json)
    except UserError as exc:
        print(f"esm: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
