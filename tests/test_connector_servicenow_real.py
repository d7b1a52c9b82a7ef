"""The real ServiceNow incident event log (UCI, CC BY 4.0; see ../shared/datasets) loads completely through
`esm ingest servicenow --file <zip>` and `esm build`, and the published marts reproduce its published figures.
An email thread that quotes one of its incident numbers is unified with that incident."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from esm.cli import main
from tests.conftest import esm_home

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "servicenow-incident-event-log" / \
    "uci498_incident_event_log.zip"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    if not DATASET.exists():
        pytest.skip(f"the shared dataset is not at {DATASET}")
    home = tmp_path_factory.mktemp("servicenow_real")
    with esm_home(home) as p:
        assert main(["ingest", "servicenow", "--file", str(DATASET)]) == 0
        assert main(["ingest", "email", "--file", str(DATA / "desk.mbox"),
                     "--option", "desk_addresses=it-desk@example.com"]) == 0
        assert main(["build"]) == 0
        con = duckdb.connect(str(p.published), read_only=True)
        yield con
        con.close()


def test_published_figures_of_the_real_log(published):
    figures = published.execute("""
        select count(*), count(*) filter (where source_sla_met), count(*) filter (where is_reopened)
        from marts.fct_requests where source_system = 'servicenow'""").fetchone()
    assert figures == (24_918, 15_803, 275)


def test_history_is_available_to_metrics(published):
    row = published.execute("""
        select count(*) filter (where reassignment_count > 0), count(distinct channel), count(distinct priority),
               count(*) filter (where first_response_at is null)
        from marts.fct_requests where source_system = 'servicenow'""").fetchone()
    assert row[0] > 5_000 and row[1] >= 3 and row[2] == 4 and row[3] == 0
    # every snapshot of the log is kept as received
    n = published.execute("select count(*) from audit.load_log where source_system = 'servicenow' "
                          "and entity = 'requests'").fetchone()[0]
    assert n >= 1
    months = published.execute("select count(distinct month) from marts.mart_kpi_monthly "
                               "where metric_id = 'request_volume' and dimension = 'all'").fetchone()[0]
    assert months >= 12


def test_unmapped_categories_are_counted_as_other(published):
    share = published.execute("""
        select sum(case when service_mapping = 'other' then 1 else 0 end) * 1.0 / count(*)
        from marts.fct_requests where source_system = 'servicenow'""").fetchone()[0]
    assert 0.2 < share < 0.3  # the ten largest categories are mapped, the rest lands on Other
    metric = published.execute("""
        select sum(value) from marts.mart_kpi_monthly
        where metric_id = 'catalog_other_share' and dimension = 'all'""").fetchone()[0]
    assert metric > 0


def test_email_thread_quoting_an_incident_is_counted_once(published):
    row = published.execute("""
        select door_count, channel, first_contact_source_system, opened_at::varchar
        from marts.fct_requests where source_request_id = 'INC0000045'""").fetchone()
    assert row == (2, "email", "email", "2016-02-29 00:50:00")
    emails = published.execute("select count(*) from marts.fct_requests where source_system = 'email'").fetchone()
    assert emails == (1,)  # Bob's printer thread; Alice's thread is INC0000045
    bob = published.execute("""select first_response_at, service_id from marts.fct_requests
                               where source_system = 'email'""").fetchone()
    assert bob == (None, "GEN-IT-HARDWARE")  # mapped by the keyword rule for 打印机
