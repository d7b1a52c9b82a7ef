"""Configured sources: sources.yml validation, the Dagster asset per source, `esm connectors` / `esm ingest`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors.framework import ConnectorError
from connectors.registry import load_sources
from esm.cli import main
from pipelines.sources import source_asset
from tests.conftest import esm_home

DATA = Path(__file__).parent / "data"


def test_credentials_in_the_file_are_refused(tmp_path):
    (tmp_path / "sources.yml").write_text("sources:\n  - {name: sn, connector: servicenow, "
                                          "options: {url: 'https://x', password: hunter2}}\n")
    with pytest.raises(ConnectorError, match="password_env"):
        load_sources(tmp_path)


def test_example_sources_file_validates():
    root = Path(__file__).resolve().parents[1]
    sources = load_sources_from(root / "config" / "sources.example.yml")
    assert {s.connector for s in sources} >= {"servicenow", "zendesk", "jira", "sdp", "email", "files"}


def load_sources_from(path: Path):
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        shutil.copy(path, Path(d) / "sources.yml")
        return load_sources(Path(d))


def test_dagster_asset_per_source_materializes_and_is_incremental(tmp_path):
    (tmp_path / "sources.yml").write_text(
        f"sources:\n  - name: procurement\n    connector: process_log\n"
        f"    options: {{file: '{DATA / 'purchase.xes'}', end_activities: Order}}\n")
    source = load_sources(tmp_path)[0]
    asset = source_asset(source)
    assert asset.key == dg.AssetKey(["sources", "procurement"])
    with esm_home(tmp_path / "home") as p:
        first = dg.materialize([asset])
        assert first.success
        meta = first.asset_materializations_for_node(asset.node_def.name)[0].metadata
        assert meta["requests.loaded"].value == 2
        second = dg.materialize([asset])
        meta = second.asset_materializations_for_node(asset.node_def.name)[0].metadata
        assert meta["requests.duplicates"].value == 2 and meta["requests.loaded"].value == 0
        con = duckdb.connect(str(p.warehouse), read_only=True)
        assert con.execute("select count(*) from raw.requests where _source_system = 'procurement'").fetchone() == (2,)


def test_cli_lists_connectors_and_reports_user_errors(tmp_path, capsys):
    assert main(["connectors"]) == 0
    out = capsys.readouterr().out
    for name in ("files", "servicenow", "jira", "zendesk", "sdp", "email", "process_log"):
        assert name in out
    with esm_home(tmp_path):
        assert main(["ingest", "nosuch"]) == 2
        assert main(["ingest", "servicenow"]) == 2
    assert "give --file" in capsys.readouterr().err


def test_esm_build_runs_the_configured_sources_first(tmp_path):
    """With a sources.yml, the Dagster definitions gain an asset per source upstream of raw landing, and
    `esm build` ingests them, builds and publishes (a fresh process: definitions are made at import)."""
    import os
    import shutil
    import subprocess
    import sys

    config = tmp_path / "config"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", config)
    (config / "sources.yml").write_text(
        f"sources:\n  - name: procurement\n    connector: process_log\n"
        f"    options: {{file: '{DATA / 'purchase.xes'}', end_activities: Order}}\n"
        f"  - name: slack\n    connector: chat\n"
        f"    options: {{platform: slack, file: '{DATA / 'slack'}', channels: it-help}}\n")
    env = os.environ | {"ESM_CONFIG_DIR": str(config), "ESM_HOME": str(tmp_path / "home"),
                        "DAGSTER_HOME": str(tmp_path / "home" / "dagster")}
    esm = [sys.executable, "-m", "esm.cli"]
    build = subprocess.run(esm + ["build"], env=env, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    con = duckdb.connect(str(tmp_path / "home" / "published" / "warehouse.duckdb"), read_only=True)
    assert con.execute("select source_system, count(*) from marts.fct_requests group by 1 order by 1").fetchall() \
        == [("procurement", 2), ("slack", 2)]
