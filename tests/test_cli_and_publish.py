"""The `esm` command: status accounting, clear user errors, and a failed build that keeps the last good one."""

import json
import os
import shutil
import subprocess
import sys

import duckdb
import polars as pl

from connectors.landing import write_batch
from tests.test_end_to_end import clean_requests

ESM = [sys.executable, "-m", "esm.cli"]


def run_esm(args, home, timeout=600):
    env = os.environ | {"ESM_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    return subprocess.run(ESM + args, env=env, capture_output=True, text=True, timeout=timeout)


def test_status_reports_every_record(demo):
    out = run_esm(["status", "--json"], demo.paths.home)
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    src = status["sources"]["esm_portal"]
    assert src["records_in"] == sum(f.height for f in demo.sim.tables.values())
    assert src["records_in"] == src["loaded"] + src["quarantined"] + src["duplicates_dropped"]
    assert src["duplicates_dropped"] == demo.sim.truth["defects"]["duplicate_deliveries"]
    assert status["rows"]["fct_requests"] == clean_requests(demo.sim).height
    text = run_esm(["status"], demo.paths.home)
    assert "esm_portal" in text.stdout and "unknown timezone" in text.stdout


def test_user_errors_are_one_line_without_traceback(tmp_path):
    out = run_esm(["status"], tmp_path)
    assert out.returncode == 2
    assert "no published warehouse" in out.stderr and "esm demo" in out.stderr
    assert "Traceback" not in out.stderr
    out = run_esm(["serve"], tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    out = run_esm(["demo", "--requests", "5", "--no-serve"], tmp_path)
    assert out.returncode == 2 and "at least 100" in out.stderr


def test_failed_build_keeps_the_last_good_warehouse(demo, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo.paths.home, home, ignore=shutil.ignore_patterns("dagster"))
    published = home / "published" / "warehouse.duckdb"
    before = published.stat().st_mtime_ns
    # a re-delivered request arriving through a channel nobody knows: the blocking raw check must stop the build
    bad = demo.sim.tables["requests"].filter(pl.col("request_id").is_not_null()).head(1).with_columns(
        pl.lit("carrier_pigeon").alias("channel"), pl.col("updated_at") + pl.duration(hours=1))
    write_batch({"requests": bad}, home / "landing" / "inbox", "esm_portal", "bad-batch")
    out = run_esm(["build"], home)
    assert out.returncode == 2, out.stderr
    assert "gx_raw_requests" in out.stderr and "last published warehouse is still in place" in out.stderr
    assert "Traceback" not in out.stderr
    assert published.stat().st_mtime_ns == before
    con = duckdb.connect(str(published), read_only=True)
    try:
        channels = {r[0] for r in con.execute("select distinct channel from marts.fct_requests").fetchall()}
    finally:
        con.close()
    assert "carrier_pigeon" not in channels


def test_a_warning_check_does_not_fail_the_build(tmp_path):
    """A source without surveys has no CSAT rows: the catalog-coverage check warns, the build publishes."""
    from tests.test_golden_metrics import golden_tables

    home = tmp_path / "home"
    tables = {k: v for k, v in golden_tables().items() if k != "surveys"}
    write_batch(tables, home / "landing" / "inbox", "esm_portal", "no-surveys")
    out = run_esm(["build"], home)
    assert out.returncode == 0, out.stderr
    assert "warning: check assert_every_catalog_metric_has_rows" in out.stderr
    assert (home / "published" / "warehouse.duckdb").exists()
