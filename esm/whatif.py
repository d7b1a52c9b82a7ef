"""SLA what-if: recompute history under a proposed SLA policy file and compare it with what is published."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from connectors.reference import load_reference
from esm.settings import DBT_PROJECT_DIR, Paths, config_dir

log = logging.getLogger(__name__)

COMPARISON = """
    with current as (select * from cur.marts.fct_sla),
    proposed as (select * from prop.marts.fct_sla)
    select
        c.subject_type,
        c.target_type,
        count(*) as targets,
        count(*) filter (where c.sla_state = 'breached') as breached_now,
        count(*) filter (where p.sla_state = 'breached') as breached_proposed,
        count(*) filter (where c.sla_state = 'met' and p.sla_state = 'breached') as met_to_breached,
        count(*) filter (where c.sla_state = 'breached' and p.sla_state = 'met') as breached_to_met,
        count(*) filter (where c.policy_id is distinct from p.policy_id) as policy_changed,
        avg(case when c.sla_state = 'met' then 1.0 when c.sla_state = 'breached' then 0.0 end) as attainment_now,
        avg(case when p.sla_state = 'met' then 1.0 when p.sla_state = 'breached' then 0.0 end) as attainment_proposed
    from current as c
    inner join proposed as p on c.sla_id = p.sla_id
    group by all
    order by 1, 2
"""


def what_if(p: Paths, proposed_policies: Path, dbt: str) -> list[dict]:
    """Copy the working warehouse, load the proposed SLA policies into the copy, rebuild the SLA models and
    everything downstream there, and compare fct_sla with the published warehouse. Nothing published changes."""
    if not p.warehouse.exists() or not p.published.exists():
        raise FileNotFoundError("no warehouse built yet: run `esm demo` or `esm build` first")
    scratch = p.home / "whatif" / "warehouse.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(p.warehouse, scratch)
    con = duckdb.connect(str(scratch))
    try:
        load_reference(con, config_dir(), sla_file=proposed_policies)
    finally:
        con.close()
    env = os.environ | {"ESM_WAREHOUSE": str(scratch)}
    run = subprocess.run([dbt, "run", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR),
                          "--select", "stg_reference__sla_policies+", "stg_reference__sla_settings+",
                          "stg_reference__sla_escalation_levels+", "stg_reference__sla_pause_statuses+"],
                         cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"dbt run under the proposed policies failed:\n{run.stdout[-2000:]}")
    con = duckdb.connect()
    try:
        con.execute(f"attach '{p.published}' as cur (read_only)")
        con.execute(f"attach '{scratch}' as prop (read_only)")
        cur = con.execute(COMPARISON)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()
