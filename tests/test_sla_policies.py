"""SLA policy changes over time and the what-if run, on the hand-built golden company."""

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest
import yaml

from esm.settings import CONFIG_DIR
from tests.conftest import build
from tests.test_golden_metrics import golden_tables


def policies_with(tmp_path, change) -> dict:
    cfg = yaml.safe_load((CONFIG_DIR / "sla_policies.yml").read_text())
    change(cfg)
    return cfg


def p4_tightened_from_june(cfg):
    """P4 resolution drops from 1500 to 100 business minutes for requests opened from 1 June 2025."""
    i = next(k for k, p in enumerate(cfg["policies"]) if p["id"] == "p4")
    old = cfg["policies"][i] | {"id": "p4_until_may", "effective_to": "2025-05-31"}
    new = cfg["policies"][i] | {"id": "p4_from_june", "effective_from": "2025-06-01",
                                "targets": {"response": 480, "resolution": 100}}
    cfg["policies"][i:i + 1] = [old, new]


def test_history_keeps_the_rules_in_force_at_the_time(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    (config / "sla_policies.yml").write_text(yaml.safe_dump(policies_with(tmp_path, p4_tightened_from_june)))
    calendars = yaml.safe_load((config / "calendars.yml").read_text())
    # Shanghai office works mornings only from 4 June 2025
    calendars["calendars"]["cn_office"]["changes"] = [{"from": "2025-06-04", "hours": {"mon-fri": ["09:00-12:00"]}}]
    (config / "calendars.yml").write_text(yaml.safe_dump(calendars))
    built = build(tmp_path / "home", golden_tables(), config=config)
    assert built.result.success
    con = duckdb.connect(str(built.paths.published), read_only=True)
    try:
        rows = dict((r[0], r[1:]) for r in con.execute("""
            select source_request_id, sla_policy_id, resolution_target_minutes, sla_met from marts.fct_requests
            where source_request_id in ('R2', 'R6')""").fetchall())
        business = dict(con.execute("""select source_request_id, lead_time_business_minutes from marts.fct_requests
                                       where source_request_id in ('R3', 'R5')""").fetchall())
    finally:
        con.close()
    assert rows["R2"] == ("p4_until_may", 1500, True)  # March: the old rule, 180 <= 1500
    assert rows["R6"] == ("p4_from_june", 100, False)  # June: the new rule, 120 > 100
    assert business["R3"] == pytest.approx(420)  # 3 June: the old hours, 09-12 and 13-17
    assert business["R5"] == pytest.approx(120)  # 5 June: mornings only, 10-12


def test_what_if_shows_the_difference_without_touching_what_is_published(golden_built, tmp_path):
    proposed = tmp_path / "proposed.yml"
    cfg = yaml.safe_load((CONFIG_DIR / "sla_policies.yml").read_text())
    next(p for p in cfg["policies"] if p["id"] == "p4")["targets"]["resolution"] = 100
    proposed.write_text(yaml.safe_dump(cfg))
    published = golden_built.paths.published
    before = published.stat().st_mtime_ns
    env = os.environ | {"ESM_HOME": str(golden_built.paths.home)}
    out = subprocess.run([sys.executable, "-m", "esm.cli", "sla-whatif", str(proposed), "--json"], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    rows = {(r["subject_type"], r["target_type"]): r for r in json.loads(out.stdout)}
    resolution = rows[("request", "resolution")]
    # R2 (180 business minutes) and R6 (120) are P4 and met 1500; both miss 100
    assert resolution["met_to_breached"] == 2 and resolution["breached_to_met"] == 0
    assert resolution["breached_proposed"] - resolution["breached_now"] == 2
    assert rows[("request", "response")]["met_to_breached"] == 0
    assert published.stat().st_mtime_ns == before


def test_what_if_rejects_a_policy_matching_on_an_unknown_field(golden_built, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump({"policies": [{"id": "x", "match": {"colour": "red"},
                                                 "targets": {"response": 1, "resolution": 2}}]}))
    env = os.environ | {"ESM_HOME": str(golden_built.paths.home)}
    out = subprocess.run([sys.executable, "-m", "esm.cli", "sla-whatif", str(bad)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 2
    assert "cannot match on colour" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("bad, message", [
    ({"id": "x", "targets": {"response": 1, "resolution": 2}, "clock": "lunar"}, "clock must be"),
    ({"id": "x", "targets": {"speed": 1}}, "unknown target speed"),
])
def test_policy_file_errors_name_the_policy(bad, message):
    from connectors.reference import sla_policy_rows

    with pytest.raises(ValueError, match=message):
        sla_policy_rows({"policies": [bad]})
