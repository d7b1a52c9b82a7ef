"""Shared fixtures: warehouses built for real (landing -> dbt -> checks -> publish) in temporary homes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from connectors.landing import write_batch
from esm.settings import Paths, paths
from simulator.generate import Simulation, simulate

DEMO_REQUESTS = 4_000
DEMO_SEED = 11


@contextmanager
def esm_home(home: Path) -> Iterator[Paths]:
    """Point ESM_HOME at `home` for the duration of the block."""
    old = {k: os.environ.get(k) for k in ("ESM_HOME", "ESM_WAREHOUSE", "DAGSTER_HOME")}
    os.environ["ESM_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    try:
        yield paths()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_pipeline():
    """Materialize every asset in-process, as `esm build` does."""
    from pipelines.definitions import defs

    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}}, raise_on_error=False)


@dataclass
class Built:
    paths: Paths
    result: object
    sim: Simulation | None = None


def build(home: Path, tables: dict[str, pl.DataFrame], source: str = "esm_portal", sim=None,
          config: Path | None = None) -> Built:
    """Land `tables` as one batch and run the whole pipeline in `home` (with another config dir if given)."""
    with esm_home(home) as p:
        if config:
            os.environ["ESM_CONFIG_DIR"] = str(config)
        try:
            write_batch(tables, p.inbox, source, "batch-0001")
            result = run_pipeline()
        finally:
            os.environ.pop("ESM_CONFIG_DIR", None)
        return Built(p, result, sim)


@pytest.fixture(scope="session")
def demo_sim() -> Simulation:
    return simulate(DEMO_REQUESTS, DEMO_SEED)


@pytest.fixture(scope="session")
def demo(tmp_path_factory, demo_sim) -> Built:
    """The demo company simulated small and built end to end once per test session."""
    return build(tmp_path_factory.mktemp("demo"), demo_sim.tables, sim=demo_sim)


@pytest.fixture
def demo_env(demo) -> Iterator[Paths]:
    with esm_home(demo.paths.home) as p:
        yield p


@pytest.fixture(scope="session")
def golden_built(tmp_path_factory) -> Built:
    """The hand-built golden company (tests/test_golden_metrics.py) built once per session."""
    from tests.test_golden_metrics import golden_tables

    built = build(tmp_path_factory.mktemp("golden"), golden_tables())
    assert built.result.success
    return built
