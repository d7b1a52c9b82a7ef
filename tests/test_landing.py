"""Landing: counts add up, re-deliveries are dropped, bad records are quarantined with their reason."""

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from connectors.landing import ensure_raw_schema, land_batch, land_inbox, write_batch
from simulator.generate import simulate


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(c)
    yield c
    c.close()


def test_every_record_is_accounted_for(tmp_path, con):
    sim = simulate(1_000, 2)
    write_batch(sim.tables, tmp_path / "inbox", "esm_portal", "b1")
    results = land_inbox(con, tmp_path / "inbox", tmp_path / "archive")
    assert {r.entity for r in results} == set(sim.tables)
    for r in results:
        assert r.records_in == sim.tables[r.entity].height
        assert r.records_in == r.loaded + r.quarantined + r.duplicates, r
        assert con.execute(f"select count(*) from raw.{r.entity}").fetchone()[0] == r.loaded
    req = next(r for r in results if r.entity == "requests")
    d = sim.truth["defects"]
    assert req.duplicates == d["duplicate_deliveries"]
    reasons = dict(con.execute(
        "select reason, count(*) from raw._quarantine where entity = 'requests' group by reason").fetchall())
    assert reasons == {
        k: v for k, v in {
            "missing request_id": d["missing_request_id"], "resolved before opened": d["resolved_before_opened"],
            "unknown service_id": d["unknown_service"], "unknown timezone": d["unknown_timezone"],
        }.items() if v
    }
    # the batch moved to the archive, so a second landing finds nothing new
    assert not any((tmp_path / "inbox").glob("*/*"))
    assert land_inbox(con, tmp_path / "inbox", tmp_path / "archive") == []


def test_redelivered_batch_is_all_duplicates(tmp_path, con):
    sim = simulate(500, 4)
    first = land_batch(con, write_batch(sim.tables, tmp_path / "inbox", "esm_portal", "b1"))
    before = con.execute("select count(*) from raw.requests").fetchone()[0]
    second = land_batch(con, write_batch(sim.tables, tmp_path / "inbox", "esm_portal", "b2"))
    assert con.execute("select count(*) from raw.requests").fetchone()[0] == before
    for a, b in zip(first, second, strict=True):
        assert b.loaded == 0
        # what was quarantined the first time is quarantined again (it is not in raw), the rest is duplicate
        assert b.quarantined == a.quarantined
        assert b.duplicates == a.loaded + a.duplicates


def test_quarantine_keeps_the_original_record(tmp_path, con):
    sim = simulate(300, 9)
    batch = write_batch({k: sim.tables[k] for k in ("sites", "service_catalog", "requesters", "agents")},
                        tmp_path / "inbox", "esm_portal", "ref")
    land_batch(con, batch)
    clean = (pl.col("request_id").is_not_null() & (pl.col("resolved_at") >= pl.col("opened_at"))
             & pl.col("service_id").is_in(sim.tables["service_catalog"]["service_id"].implode()))
    req = sim.tables["requests"].filter(clean).unique("request_id", keep="first", maintain_order=True).head(3)
    req = req.with_columns(
        pl.Series("timezone", ["Asia/Shanghai", "Mars/Olympus", "Europe/Berlin"]))
    csv_dir = tmp_path / "csv" / "esm_portal" / "b2"
    csv_dir.mkdir(parents=True)
    req.write_csv(csv_dir / "requests.csv")
    (csv_dir / "manifest.json").write_text(json.dumps({"source_system": "esm_portal", "batch_id": "b2"}))
    (r,) = land_batch(con, csv_dir)
    assert (r.records_in, r.loaded, r.quarantined, r.duplicates) == (3, 2, 1, 0)
    reason, record, row = con.execute(
        "select reason, record, source_row from raw._quarantine where entity = 'requests'").fetchone()
    assert reason == "unknown timezone"
    assert json.loads(record)["request_id"] == req["request_id"][1]
    assert row == 2


def test_clear_errors_for_unusable_files(tmp_path, con):
    d = tmp_path / "x" / "esm_portal" / "b1"
    d.mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({"source_system": "esm_portal"}))
    pl.DataFrame({"service_id": ["S1"]}).write_parquet(d / "service_catalog.parquet")
    with pytest.raises(ValueError, match="lacks required column.*department"):
        land_batch(con, d)
    (d / "service_catalog.parquet").unlink()
    pl.DataFrame({"a": [1]}).write_parquet(d / "tickets.parquet")
    with pytest.raises(ValueError, match="unknown entity file"):
        land_batch(con, d)
    bad = Path(tmp_path / "nomanifest")
    bad.mkdir()
    with pytest.raises(ValueError, match="no manifest.json"):
        land_batch(con, bad)


def test_unknown_columns_are_refused_with_the_format_named(tmp_path, con):
    d = tmp_path / "x" / "esm_portal" / "b1"
    d.mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({"source_system": "esm_portal"}))
    pl.DataFrame({"service_id": ["S1"], "department": ["IT"], "colour": ["red"]}).write_parquet(
        d / "service_catalog.parquet")
    with pytest.raises(ValueError, match="unknown column.*colour.*the format has service_id"):
        land_batch(con, d)


def test_a_source_without_most_entities_still_builds(tmp_path):
    from tests.conftest import build
    from tests.test_golden_metrics import golden_tables

    tables = {k: v for k, v in golden_tables().items()
              if k in ("sites", "service_catalog", "requesters", "agents", "requests")}
    built = build(tmp_path / "home", tables)
    assert built.result.success
    c = duckdb.connect(str(built.paths.published), read_only=True)
    try:
        n, volume = c.execute("""select (select count(*) from marts.fct_requests),
            (select sum(value) from marts.mart_kpi_monthly where metric_id = 'request_volume' and dimension = 'all')
            """).fetchall()[0]
    finally:
        c.close()
    assert (n, volume) == (6, 6)
