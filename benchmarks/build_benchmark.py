"""Build the warehouse at several sizes and print, per stage, wall seconds and peak memory.

Each stage runs in its own child process so that its peak resident memory (ru_maxrss from wait4) is its own.
Beside the stages: the floor, one plain DuckDB pass over the landed raw events.

    .venv/bin/python benchmarks/build_benchmark.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = ["simulate", "land", "dbt_build", "checks", "publish", "floor"]


def run_stage(stage: str, home: Path, requests: int) -> dict:
    """Run one stage in a child process; wall seconds and peak RSS (MB) of that child."""
    env = os.environ | {"ESM_HOME": str(home), "ESM_WAREHOUSE": str(home / "warehouse.duckdb"),
                        "GX_ANALYTICS_ENABLED": "False"}
    if stage == "dbt_build":
        dbt = str(Path(sys.executable).with_name("dbt"))
        cmd = [dbt, "build", "--quiet", "--profiles-dir", str(ROOT / "models")]
        cwd = ROOT / "models"
    else:
        cmd = [sys.executable, __file__, "--stage", stage, "--home", str(home), "--requests", str(requests)]
        cwd = ROOT
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"stage {stage} failed:\n{out[-3000:]}\n{err[-3000:]}")
    detail = out.strip().splitlines()[-1] if out.strip() and stage != "dbt_build" else ""
    return {"seconds": wall, "peak_mb": usage.ru_maxrss / 1024, "detail": detail}


def stage_main(stage: str, home: Path, requests: int) -> None:
    """The body of one stage, run inside the child process."""
    import duckdb

    from esm.settings import config_dir, paths

    p = paths()
    if stage == "simulate":
        from connectors.landing import write_batch
        from simulator.company import SOURCE_SYSTEM
        from simulator.generate import simulate

        sim = simulate(requests, 42)
        write_batch(sim.tables, p.inbox, SOURCE_SYSTEM, "bench")
        print(json.dumps({"records": sum(t.height for t in sim.tables.values())}))
    elif stage == "land":
        from connectors.landing import land_inbox
        from connectors.reference import load_reference

        con = duckdb.connect(str(p.warehouse))
        load_reference(con, config_dir())
        results = land_inbox(con, p.inbox, p.archive)
        con.close()
        print(json.dumps({"records_in": sum(r.records_in for r in results),
                          "loaded": sum(r.loaded for r in results)}))
    elif stage == "checks":
        from data_tests.checks import QUERIES, run_check

        results = [r for name in QUERIES for r in run_check(p.warehouse, name)]
        assert all(r.success for r in results), [r.failed for r in results]
        print(json.dumps({"suites": len(results), "rows": sum(r.rows for r in results)}))
    elif stage == "publish":
        from esm.publish import publish

        print(json.dumps({"tables": len(publish(p.warehouse, p.published))}))
    elif stage == "floor":
        con = duckdb.connect(str(p.warehouse), read_only=True)
        n = con.execute("select count(*) from (select request_id, count(*), max(occurred_at) "
                        "from raw.request_events group by request_id)").fetchall()[0][0]
        con.close()
        print(json.dumps({"requests_with_events": n}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--stage", choices=STAGES)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the warehouses built")
    args = parser.parse_args()
    if args.stage:
        stage_main(args.stage, args.home, args.requests)
        return
    subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--quiet", "--profiles-dir", "."],
                   cwd=ROOT / "models", check=True,
                   env=os.environ | {"ESM_WAREHOUSE": str(Path(tempfile.gettempdir()) / "parse.duckdb")})
    rows = []
    for size in args.sizes:
        home = Path(tempfile.mkdtemp(prefix=f"esm-bench-{size}-"))
        try:
            figures = {stage: run_stage(stage, home, size) for stage in STAGES}
        finally:
            if not args.keep:
                shutil.rmtree(home, ignore_errors=True)
        rows.append((size, figures))
        print(f"{size:>9,} requests: " + ", ".join(f"{s} {f['seconds']:.1f}s" for s, f in figures.items()),
              file=sys.stderr, flush=True)
    print()
    print(f"{'requests':>10} | " + " | ".join(f"{s:>16}" for s in STAGES) + " | build total (land..publish)")
    print(f"{'':>10} | " + " | ".join(f"{'s / peak MB':>16}" for _ in STAGES) + " |")
    for size, figures in rows:
        cells = [f"{figures[s]['seconds']:7.1f} / {figures[s]['peak_mb']:6.0f}" for s in STAGES]
        build = sum(figures[s]["seconds"] for s in ("land", "dbt_build", "checks", "publish"))
        peak = max(figures[s]["peak_mb"] for s in ("land", "dbt_build", "checks", "publish"))
        floor = figures["floor"]["seconds"]
        print(f"{size:>10,} | " + " | ".join(f"{c:>16}" for c in cells)
              + f" | {build:.1f} s, peak {peak:.0f} MB, {build / floor:.0f}x the floor")


if __name__ == "__main__":
    main()
