"""Seeded, vectorised simulator of the demo company's service records.

`simulate(n_requests, seed)` returns one polars frame per exported entity, in the shapes the
`esm_export` connector reads (see connectors/contracts.py). Timestamps are naive UTC except the
request header, which is exported in the requester's local time with its IANA timezone, as a
portal export would. About 1% of request rows carry realistic defects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import polars as pl

from simulator import company as co

log = logging.getLogger(__name__)

DAY = 86_400
HOUR = 3_600
EPOCH = datetime(1970, 1, 1)
SYSTEMS = ["ERP", "MES", "PLM", "CRM", "HRIS", "BI", "WMS", "FIN-DW"]
ORG_UNITS = ["Production", "Quality", "Engineering", "Sales", "Supply Chain", "R&D", "Finance", "HR",
             "IT", "Admin", "Legal", "Procurement"]


def _end() -> date:
    y, m = divmod(co.START.month - 1 + co.MONTHS, 12)
    return date(co.START.year + y, m + 1, 1)


END = _end()
END_TS = int((datetime.combine(END, datetime.min.time()) - EPOCH).total_seconds())
GO_LIVE_TS = int((datetime.combine(co.GO_LIVE, datetime.min.time()) - EPOCH).total_seconds())


@dataclass
class Simulation:
    """The exported entities plus what the simulator planted (for tests and docs)."""

    tables: dict[str, pl.DataFrame]
    truth: dict


def decode(codes: np.ndarray, vocab) -> pl.Series:
    """Integer codes -> strings without building numpy string arrays (code -1 is null)."""
    vocab = list(vocab)
    table = pl.Series(vocab + [None], dtype=pl.String)
    codes = np.asarray(codes, dtype=np.int64)
    return table.gather(np.where(codes < 0, len(vocab), codes))


def _request_id(col: str = "request_idx") -> pl.Expr:
    """Request ids are REQ + the zero-padded index of the request in opening order."""
    return pl.format("REQ{}", pl.col(col).cast(pl.String).str.zfill(8)).alias("request_id")


def _ts(col: str) -> pl.Expr:
    """int seconds since epoch -> naive datetime."""
    return pl.from_epoch(pl.col(col), time_unit="s").alias(col)


def _day_weights(days: np.ndarray) -> dict[str, np.ndarray]:
    """Relative daily volume per seasonal pattern (weekday rhythm, CN holidays, month end, hiring)."""
    cn = holidays.China(years=range(co.START.year, END.year + 1))
    make_up = set(cn.weekend_workdays)
    pydays = days.astype("datetime64[D]").astype(date)
    weekday = np.array([d.weekday() for d in pydays])
    base = np.array([1.15, 1.1, 1.05, 1.0, 0.9, 0.12, 0.08])[weekday]
    base = np.where([d in cn for d in pydays], 0.1, base)
    base = np.where([d in make_up for d in pydays], 0.9, base)
    base = base * np.linspace(0.92, 1.08, len(days))  # slow growth
    dom = np.array([d.day for d in pydays])
    month = np.array([d.month for d in pydays])
    next_month_first = np.array([(d.replace(day=28) + timedelta(days=4)).replace(day=1) for d in pydays])
    days_to_end = np.array([(n - d).days for n, d in zip(next_month_first, pydays, strict=True)])
    month_end = base * np.where((days_to_end <= 3) | (dom <= 2), 3.0, 1.0)
    hiring = base * np.select([np.isin(month, [7, 8]), month == 3], [3.0, 2.0], 1.0)
    return {"": base, "month_end": month_end, "hiring": hiring}


def _tz_offsets(days: np.ndarray) -> dict[str, np.ndarray]:
    """UTC offset in seconds at local noon of each day, per timezone."""
    out = {}
    for tz in {s.timezone for s in co.SITES}:
        z = ZoneInfo(tz)
        out[tz] = np.array([
            int(datetime.combine(d, datetime.min.time()).replace(hour=12, tzinfo=z).utcoffset().total_seconds())
            for d in days.astype("datetime64[D]").astype(date)
        ])
    return out


def simulate(n_requests: int = 20_000, seed: int = 42) -> Simulation:
    """Simulate the demo company over 24 months with about `n_requests` requests."""
    rng = np.random.default_rng(seed)
    days = np.arange(np.datetime64(co.START), np.datetime64(END), dtype="datetime64[D]")
    day_epoch = days.astype("datetime64[s]").astype(np.int64)

    # --- reference data -----------------------------------------------------------------------
    sites = pl.DataFrame([s.__dict__ for s in co.SITES])
    site_ids = np.array([s.site_id for s in co.SITES])
    site_tz = np.array([s.timezone for s in co.SITES])
    catalog = pl.DataFrame([
        {k: getattr(s, k) for k in ("service_id", "department", "category_en", "category_zh", "name_en",
                                    "name_zh", "process")}
        for s in co.SERVICES
    ]).with_columns(
        pl.col("department").replace_strict({k: v[0] for k, v in co.DEPARTMENTS.items()}).alias("department_name_en"),
        pl.col("department").replace_strict({k: v[1] for k, v in co.DEPARTMENTS.items()}).alias("department_name_zh"),
    )

    n_people = sum(s.headcount for s in co.SITES)
    person_site = np.repeat(np.arange(len(co.SITES)), [s.headcount for s in co.SITES])
    person_role = rng.choice(len(co.ROLES), n_people, p=co.ROLE_WEIGHTS)
    requesters = pl.DataFrame({
        "requester_id": [f"P{h:012x}" for h in rng.integers(0, 2**48, n_people)],
        "org_unit": rng.choice(ORG_UNITS, n_people),
        "site_id": site_ids[person_site],
        "role": np.array(co.ROLES)[person_role],
    }).unique("requester_id", keep="first", maintain_order=True)
    n_people = requesters.height
    person_site = person_site[:n_people]

    # agents: each department staffs every site by headcount, or more where the volume needs it (about 60%
    # utilization); Suzhou Facilities is understaffed (about 130%)
    agent_rows = []
    demand = _effort_hours_per_month(n_requests)
    site_share = np.array([s.headcount for s in co.SITES], dtype=float)
    site_share /= site_share.sum()
    for dept, n in co.AGENTS_PER_DEPARTMENT.items():
        per_site = np.maximum(1, np.round(n * site_share)).astype(int)
        for si, k in enumerate(per_site):
            hours = demand[dept] * site_share[si]
            if dept == "FAC" and co.SITES[si].site_id == co.BOTTLENECK_SITE:
                k = max(1, int(np.ceil(hours / (co.AGENT_HOURS_PER_MONTH * 1.3))))
            else:
                k = max(int(k), int(np.ceil(hours / (co.AGENT_HOURS_PER_MONTH * 0.6))))
            for j in range(k):
                rate = co.COST_PER_HOUR[dept] * (2.2 if co.SITES[si].country == "DE" else 1.0)
                agent_rows.append({
                    "agent_id": f"A-{dept}-{co.SITES[si].site_id}-{j + 1:02d}",
                    "department": dept,
                    "site_id": co.SITES[si].site_id,
                    "assigned_group": f"{dept}-{co.SITES[si].site_id}",
                    "cost_per_hour": float(rate),
                })
    agents = pl.DataFrame(agent_rows)
    agent_ids = agents["agent_id"].to_list()
    depts = list(co.DEPARTMENTS)
    n_sites = len(co.SITES)
    groups = [f"{d}-{st.site_id}" for d in depts for st in co.SITES]
    site_index = {st.site_id: i for i, st in enumerate(co.SITES)}
    pool: dict[int, list[int]] = {}
    for i, (d, st) in enumerate(zip(agents["department"], agents["site_id"], strict=True)):
        pool.setdefault(depts.index(d) * n_sites + site_index[st], []).append(i)

    def pick_agents(dept_i: np.ndarray, site_i: np.ndarray) -> np.ndarray:
        """A random agent of the department at the site, as an index into agent_ids."""
        keys = dept_i * n_sites + site_i
        out = np.empty(len(keys), dtype=np.int64)
        for k in np.unique(keys):
            m = keys == k
            idx = np.array(pool[int(k)])
            out[m] = idx[rng.integers(0, len(idx), m.sum())]
        return out

    # --- requests -----------------------------------------------------------------------------
    svc = co.SERVICES
    svc_w = np.array([s.weight for s in svc])
    n = n_requests
    s_idx = rng.choice(len(svc), n, p=svc_w / svc_w.sum())
    weights = _day_weights(days)
    day_idx = np.empty(n, dtype=np.int64)
    seasonal = np.array([s.seasonal for s in svc])[s_idx]
    for key, w in weights.items():
        m = seasonal == key
        day_idx[m] = rng.choice(len(days), m.sum(), p=w / w.sum())
    tod = np.where(rng.random(n) < 0.55, rng.normal(10.5, 1.6, n), rng.normal(15.0, 1.8, n))
    tod = (np.clip(tod, 6.0, 22.9) * HOUR).astype(np.int64)
    person = rng.integers(0, n_people, n)
    r_site = person_site[person]
    offsets = _tz_offsets(days)
    off = np.zeros(n, dtype=np.int64)
    for tz, arr in offsets.items():
        m = site_tz[r_site] == tz
        off[m] = arr[day_idx[m]]
    opened = day_epoch[day_idx] + tod - off
    order = np.argsort(opened, kind="stable")
    s_idx, opened, person, r_site, day_idx = s_idx[order], opened[order], person[order], r_site[order], day_idx[order]
    after = opened >= GO_LIVE_TS

    dept_i = np.array([depts.index(s.department) for s in svc])[s_idx]
    process = np.array([s.process for s in svc])[s_idx]
    site_code = site_ids[r_site]
    p_after = np.array(co.CHANNEL_WEIGHTS_AFTER)
    p_before = np.array(co.CHANNEL_WEIGHTS_BEFORE)
    channel_i = np.where(after, rng.choice(7, n, p=p_after), rng.choice(7, n, p=p_before))
    urgency = rng.choice([1, 2, 3], n, p=[0.08, 0.32, 0.60])
    impact = rng.choice([1, 2, 3], n, p=[0.10, 0.30, 0.60])
    priority_n = np.clip(urgency + impact - 1, 1, 4)

    # automation of simple, automatable services (rises at go-live)
    autom_share = np.array([s.automatable for s in svc])[s_idx] * np.where(after, 1.0, 0.2)
    automated = (process == "simple") & (rng.random(n) < autom_share)

    # simple services: one fulfilment task
    base_hours = np.array([s.hours for s in svc])[s_idx]
    prio_factor = np.array([0, 0.3, 0.6, 1.0, 1.2])[priority_n]
    simple_dur = rng.lognormal(np.log(base_hours * HOUR * prio_factor * np.where(after, 0.9, 1.0)), 0.7)
    simple_dur = np.where(automated, rng.uniform(30, 600, n), simple_dur).astype(np.int64)

    # task table: simple requests have one task, chain requests one per step
    t_req, t_step, t_dept, t_seq, t_created, t_done, t_auto = [], [], [], [], [], [], []
    steps_vocab = ["fulfil"] + [step for chain in co.CHAINS.values() for step, *_ in chain]
    resolved = opened.copy()
    simple = process == "simple"
    si = np.flatnonzero(simple)
    t_req.append(si)
    t_step.append(np.full(len(si), steps_vocab.index("fulfil")))
    t_dept.append(dept_i[si])
    t_seq.append(np.ones(len(si), dtype=np.int64))
    start = opened[si] + rng.integers(60, 1800, len(si))
    t_created.append(opened[si])
    resolved[si] = start + simple_dur[si]
    t_done.append(resolved[si])
    t_auto.append(automated[si])

    appr_rows = []
    rejected = np.zeros(n, dtype=bool)
    for proc, steps in co.CHAINS.items():
        ci = np.flatnonzero(process == proc)
        if len(ci) == 0:
            continue
        aft = after[ci]
        clock = opened[ci] + rng.integers(300, 3600, len(ci))
        amount = None
        if proc == "contract":
            amount = np.round(rng.lognormal(np.log(80_000), 1.6, len(ci)), -2)
        for seq, (step, step_dept, before_days, after_days) in enumerate(steps, start=1):
            mean = np.where(aft, after_days, before_days) * DAY
            if step == co.BOTTLENECK_STEP:
                mean = mean * np.where(site_code[ci] == co.BOTTLENECK_SITE, 3.0, 1.0)
            dur = rng.gamma(2.0, mean / 2.0).astype(np.int64) + 600
            is_auto = np.zeros(len(ci), dtype=bool)
            if step == "it_account":
                is_auto = aft & (rng.random(len(ci)) < 0.8)
                dur = np.where(is_auto, rng.integers(60, 900, len(ci)), dur)
            created = clock.copy()
            if proc in co.APPROVAL_STEPS and step in ("access_approval", "contract_approval"):
                dur = np.zeros(len(ci), dtype=np.int64)
                req_at = created.copy()
                for a_step, level in co.APPROVAL_STEPS[proc]:
                    if proc == "contract":
                        needed = amount > co.CONTRACT_LEVEL_LIMITS[level - 1]
                    else:
                        needed = np.ones(len(ci), dtype=bool)
                    needed &= ~rejected[ci]
                    if a_step == co.RUBBER_STAMP_STEP:
                        wait = rng.integers(30, 420, len(ci))
                        ok = rng.random(len(ci)) < 0.997
                    else:
                        total = np.where(aft, after_days, before_days) * DAY
                        n_levels = 1.0 if proc == "access" else 1.6
                        wait = rng.gamma(2.0, total / n_levels / 2.0).astype(np.int64) + 300
                        ok = rng.random(len(ci)) < 0.92
                    idx = np.flatnonzero(needed)
                    decided = req_at + wait
                    appr_rows.append(pl.DataFrame({
                        "request_idx": ci[idx],
                        "step": a_step,
                        "level": level,
                        "approver_site": site_code[ci[idx]],
                        "decision": np.where(ok[idx], "approved", "rejected"),
                        "requested_at": req_at[idx],
                        "decided_at": decided[idx],
                        "amount": amount[idx] if amount is not None else np.full(len(idx), np.nan),
                    }))
                    rejected[ci[idx[~ok[idx]]]] = True
                    req_at = np.where(needed, decided, req_at)
                dur = req_at - created + 60
            t_req.append(ci)
            t_step.append(np.full(len(ci), steps_vocab.index(step)))
            t_dept.append(np.full(len(ci), depts.index(step_dept)))
            t_seq.append(np.full(len(ci), seq, dtype=np.int64))
            t_created.append(created)
            done = created + dur
            t_done.append(done)
            t_auto.append(is_auto)
            # after a rejection the chain stops: later steps complete immediately as cancelled
            clock = np.where(rejected[ci], done, done + rng.integers(300, 7200, len(ci)))
        resolved[ci] = clock

    tasks_np = {
        "request_idx": np.concatenate(t_req),
        "step": np.concatenate(t_step),
        "department": np.concatenate(t_dept),
        "seq": np.concatenate(t_seq),
        "created_at": np.concatenate(t_created),
        "completed_at": np.concatenate(t_done),
        "is_automated": np.concatenate(t_auto),
    }

    # first response, reopen, pauses, reassignments
    resp_mean = np.array([0, 600, 2700, 7200, 14400])[priority_n]
    first_resp = opened + np.minimum(rng.exponential(resp_mean).astype(np.int64) + 60, resolved - opened)
    first_resp = np.where(automated, opened + 30, first_resp)
    reopened = (rng.random(n) < 0.03) & ~automated
    reopen_at = resolved + rng.integers(DAY // 2, 5 * DAY, n)
    final_resolved = np.where(reopened, reopen_at + rng.exponential(DAY, n).astype(np.int64) + 600, resolved)
    paused = (rng.random(n) < 0.12) & ~automated & (resolved - first_resp > 2 * HOUR)
    pause_at = first_resp + ((resolved - first_resp) * 0.3).astype(np.int64)
    pause_len = np.minimum(rng.exponential(DAY, n).astype(np.int64) + 600,
                           ((resolved - pause_at) * 0.5).astype(np.int64))
    resume_at = pause_at + pause_len
    reassigned = (rng.random(n) < 0.10) & ~automated
    bounced = reassigned & (rng.random(n) < 0.3)  # sent to another department and back
    followup = (rng.random(n) < 0.15) & ~automated

    is_open = final_resolved >= END_TS
    statuses = ["in_progress", "on_hold", "resolved", "closed"]
    is_closed = final_resolved + 3 * DAY < END_TS
    status_i = np.where(is_open, np.where(paused & (resume_at >= END_TS), 1, 0), np.where(is_closed, 3, 2))
    closed = np.where(is_closed, final_resolved + 3 * DAY, -1)
    agent_i = np.where(automated, -1, pick_agents(dept_i, r_site))
    group_i = dept_i * n_sites + r_site
    requester_ids = requesters["requester_id"].to_list()
    # event actors: requesters, then agents, then system accounts
    actors = requester_ids + agent_ids + ["system", "automation"]
    agent_actor = np.where(agent_i >= 0, len(requester_ids) + agent_i, -1)
    system_actor = len(requester_ids) + len(agent_ids)
    responder = np.where(automated, system_actor + 1, agent_actor)

    service_ids = [s.service_id for s in svc]
    requests = pl.DataFrame({
        "n": np.arange(n),
        "requester_id": decode(person, requester_ids),
        "service_id": decode(s_idx, service_ids),
        "channel": decode(channel_i, co.CHANNELS),
        "priority": decode(priority_n - 1, ["P1", "P2", "P3", "P4"]),
        "urgency": urgency,
        "impact": impact,
        "opened_at": opened,
        "first_response_at": np.where(first_resp < END_TS, first_resp, -1),
        "resolved_at": np.where(is_open, -1, final_resolved),
        "closed_at": closed,
        "status": decode(status_i, statuses),
        "resolution_code": decode(np.where(rejected, 0, np.where(automated, 1, 2)),
                                  ["rejected", "automated", "fulfilled"]),
        "assigned_group": decode(group_i, groups),
        "agent_id": decode(agent_i, agent_ids),
        "timezone": decode(r_site, site_tz),
    }).with_columns(
        _request_id("n"),
        *[pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in ("first_response_at", "resolved_at", "closed_at")],
    )

    # --- request events (UTC) -------------------------------------------------------------------
    ev = []

    def text(v, idx: np.ndarray) -> pl.Series:
        """A string column for rows idx: None, a constant, or (per-request codes, vocabulary)."""
        if v is None or isinstance(v, str):
            return pl.repeat(v, len(idx), dtype=pl.String, eager=True)
        codes, vocab = v
        return decode(codes[idx], vocab)

    def add(idx, etype, at, frm, to, actor, public=None):
        idx = np.asarray(idx)
        ev.append(pl.DataFrame({
            "request_idx": idx,
            "event_type": text(etype, idx),
            "occurred_at": np.asarray(at)[idx] if np.ndim(at) else np.full(len(idx), at),
            "from_value": text(frm, idx),
            "to_value": text(to, idx),
            "actor_id": text(actor, idx),
            "is_public": pl.Series([public] * len(idx), dtype=pl.Boolean),
        }))

    all_i = np.arange(n)
    requester = (person, actors)
    agent = (agent_actor, actors)
    group = (group_i, groups)
    add(all_i, "status_change", opened, None, "new", requester)
    add(all_i, "assignment_change", opened + 5, None, group, "system")
    other_dept = (dept_i + rng.integers(1, len(depts), n)) % len(depts)  # never the right department
    wrong_group = (other_dept * n_sites + r_site, groups)
    ri = np.flatnonzero(reassigned)
    mid = opened + (first_resp - opened) // 2 + 1
    add(ri, "assignment_change", mid, group, wrong_group, "system")
    bi = np.flatnonzero(bounced)
    add(bi, "assignment_change", mid + (first_resp - mid) // 2 + 1, wrong_group, group, "system")
    ok_resp = np.flatnonzero(first_resp < END_TS)
    responder = (responder, actors)
    add(ok_resp, "status_change", first_resp, "new", "in_progress", responder)
    add(ok_resp, "comment", first_resp, None, None, responder, public=True)
    fi = np.flatnonzero(followup & (first_resp + HOUR < END_TS))
    add(fi, "comment", first_resp + HOUR, None, None, requester, public=True)
    ii = np.flatnonzero(~automated & (first_resp + 2 * HOUR < np.minimum(resolved, END_TS)))
    add(ii, "comment", first_resp + 2 * HOUR, None, None, agent, public=False)
    pi = np.flatnonzero(paused & (pause_at < END_TS))
    add(pi, "status_change", pause_at, "in_progress", "on_hold", agent)
    add(pi, "sla_pause", pause_at, None, "waiting_on_requester", "system")
    pri = np.flatnonzero(paused & (resume_at < END_TS))
    add(pri, "status_change", resume_at, "on_hold", "in_progress", requester)
    add(pri, "sla_resume", resume_at, None, None, "system")
    di = np.flatnonzero(resolved < END_TS)
    add(di, "status_change", resolved, "in_progress", "resolved", responder)
    oi = np.flatnonzero(reopened & (reopen_at < END_TS))
    add(oi, "status_change", reopen_at, "resolved", "reopened", requester)
    r2 = np.flatnonzero(reopened & (final_resolved < END_TS))
    add(r2, "status_change", final_resolved, "reopened", "resolved", agent)
    ci_ = np.flatnonzero(closed >= 0)
    add(ci_, "status_change", closed, "resolved", "closed", "system")
    events = pl.concat(ev).filter(pl.col("occurred_at") < END_TS).sort("occurred_at", "request_idx")
    events = events.with_row_index("e").with_columns(
        pl.format("EV{}", pl.col("e").cast(pl.String).str.zfill(9)).alias("event_id"),
        _request_id(),
        _ts("occurred_at"),
    ).select("event_id", "request_id", "event_type", "occurred_at", "from_value", "to_value", "actor_id", "is_public")

    # --- tasks, automation runs, approvals --------------------------------------------------------
    tr = tasks_np["request_idx"]
    t_site = r_site[tr]
    t_auto_mask = tasks_np["is_automated"]
    t_agent = np.where(t_auto_mask, -1, pick_agents(tasks_np["department"], t_site))
    effort = np.where(t_auto_mask, 0, rng.lognormal(np.log(co.MEAN_EFFORT_MINUTES) - 0.18, 0.6, len(tr))).round(1)
    tasks = pl.DataFrame({
        "request_idx": tr,
        "step": decode(tasks_np["step"], steps_vocab),
        "department": decode(tasks_np["department"], depts),
        "assigned_group": decode(tasks_np["department"] * n_sites + t_site, groups),
        "seq": tasks_np["seq"],
        "agent_id": decode(t_agent, agent_ids),
        "created_at": tasks_np["created_at"],
        "completed_at": tasks_np["completed_at"],
        "is_automated": t_auto_mask,
        "effort_minutes": effort,
    }).filter(pl.col("created_at") < END_TS).with_columns(
        pl.when(pl.col("completed_at") < END_TS).then(pl.col("completed_at")).alias("completed_at"),
    ).sort("request_idx", "seq").with_row_index("t").with_columns(
        pl.format("TSK{}", pl.col("t").cast(pl.String).str.zfill(9)).alias("task_id"),
    ).with_columns(
        pl.when(pl.col("seq") > 1).then(pl.col("task_id").shift(1)).alias("depends_on_task_id"),
        _request_id(),
    )
    tasks = tasks.with_columns(
        pl.when(pl.col("completed_at").is_null()).then(pl.lit("open")).otherwise(pl.lit("done")).alias("status"),
        _ts("created_at"), _ts("completed_at"),
    ).select("task_id", "request_id", "step", "department", "assigned_group", "agent_id", "seq",
             "depends_on_task_id", "created_at", "completed_at", "status", "is_automated", "effort_minutes")

    automation_runs = tasks.filter(pl.col("is_automated") & pl.col("completed_at").is_not_null()).select(
        pl.col("task_id").str.replace("TSK", "RUN").alias("run_id"),
        "task_id",
        pl.concat_str([pl.lit("bot-"), pl.col("department").str.to_lowercase()]).alias("bot_id"),
        pl.col("created_at").alias("started_at"),
        pl.col("completed_at").alias("finished_at"),
        pl.lit("success").alias("outcome"),
    )

    # a few access requests are provisioned before the system owner has approved (non-compliant)
    approvals = pl.concat(appr_rows)
    a_req = approvals["request_idx"].to_numpy()
    late = ((approvals["step"] == "system_owner_access").to_numpy()
            & (rng.random(len(a_req)) < np.where(after[a_req], 0.01, 0.05))
            & (approvals["decision"] == "approved").to_numpy())
    approvals = approvals.with_columns(
        pl.Series("decided_at", np.where(late, resolved[a_req] + rng.integers(HOUR, 2 * DAY, len(a_req)),
                                         approvals["decided_at"].to_numpy())),
    ).filter(pl.col("requested_at") < END_TS)
    approvals = approvals.sort("requested_at", "request_idx").with_row_index("a").with_columns(
        pl.format("APR{}", pl.col("a").cast(pl.String).str.zfill(8)).alias("approval_id"),
        _request_id(),
        pl.concat_str([pl.lit("MGR-"), pl.col("approver_site"), pl.lit("-L"), pl.col("level").cast(pl.String)])
        .alias("approver_id"),
        pl.when(pl.col("decided_at") < END_TS).then(pl.col("decision")).alias("decision"),
        pl.when(pl.col("decided_at") < END_TS).then(pl.col("decided_at")).alias("decided_at"),
        pl.col("amount").fill_nan(None),
    ).with_columns(_ts("requested_at"), _ts("decided_at")).select(
        "approval_id", "request_id", "step", "level", "approver_id", "decision", "requested_at", "decided_at", "amount")

    # --- surveys (CSAT up ~28% after go-live) -------------------------------------------------------
    si_ = np.flatnonzero(~is_open & ~rejected & (rng.random(n) < 0.3))
    csat_before = rng.choice([1, 2, 3, 4, 5], n, p=[0.06, 0.10, 0.22, 0.40, 0.22])
    csat_after = rng.choice([1, 2, 3, 4, 5], n, p=[0.01, 0.02, 0.05, 0.30, 0.62])
    csat = np.where(after, csat_after, csat_before)
    nps = np.clip(np.round(2.2 * csat - 1.2 + rng.normal(0, 1.2, n)), 0, 10).astype(np.int64)
    answered = final_resolved + rng.exponential(DAY, n).astype(np.int64) + 300
    si_ = si_[answered[si_] < END_TS]
    surveys = pl.DataFrame({
        "request_idx": si_,
        "csat_score": csat[si_],
        "nps_score": np.where(rng.random(len(si_)) < 0.6, nps[si_], -1),
        "answered_at": answered[si_],
    }).with_row_index("s").with_columns(
        pl.format("SRV{}", pl.col("s").cast(pl.String).str.zfill(8)).alias("survey_id"),
        _request_id(),
        pl.when(pl.col("nps_score") >= 0).then(pl.col("nps_score")).alias("nps_score"),
        _ts("answered_at"),
    ).select("survey_id", "request_id", "csat_score", "nps_score", "answered_at")

    # --- knowledge and self-service --------------------------------------------------------------
    articles = pl.DataFrame({
        "article_id": [f"KB{i:05d}" for i in range(len(svc) * 3)],
        "service_id": np.repeat([s.service_id for s in svc], 3),
        "title_en": [f"{s.name_en}: guide {k + 1}" for s in svc for k in range(3)],
        "title_zh": [f"{s.name_zh}：指南 {k + 1}" for s in svc for k in range(3)],
    })
    # failed sessions precede a real request for the same service within 24 h
    fail_p = np.where(after, 0.12, 0.20)
    fi_ = np.flatnonzero((rng.random(n) < fail_p) & (process == "simple"))
    failed = pl.DataFrame({
        "requester_id": decode(person[fi_], requester_ids),
        "service_id": decode(s_idx[fi_], service_ids),
        "viewed_at": opened[fi_] - rng.integers(300, 20 * HOUR, len(fi_)),
    })
    # successful sessions: 50% of all sessions before go-live, 65% after
    n_ok_before = int((~after[fi_]).sum())
    n_ok_after = int(after[fi_].sum() * 0.65 / 0.35)
    ok_at = np.concatenate([
        rng.integers(day_epoch[0], GO_LIVE_TS, n_ok_before),
        rng.integers(GO_LIVE_TS, END_TS, n_ok_after),
    ])
    succeeded = pl.DataFrame({
        "requester_id": decode(rng.integers(0, n_people, len(ok_at)), requester_ids),
        "service_id": decode(rng.integers(0, len(svc), len(ok_at)), service_ids),
        "viewed_at": ok_at,
    })
    sessions = pl.concat([failed, succeeded]).filter(pl.col("viewed_at") >= day_epoch[0]).sort("viewed_at")
    sessions = sessions.with_row_index("k").with_columns(
        pl.format("SS{}", pl.col("k").cast(pl.String).str.zfill(9)).alias("session_id"),
        _ts("viewed_at"),
    )
    art_by_service = dict(zip(articles["service_id"].to_list()[::3], range(0, articles.height, 3), strict=True))
    sessions = sessions.with_columns(
        pl.col("service_id").replace_strict(art_by_service, return_dtype=pl.Int64).add(pl.col("k") % 3)
        .map_batches(lambda s: articles["article_id"].gather(s), return_dtype=pl.String)
        .alias("article_id"),
        pl.when(pl.col("k") % 4 == 0).then(pl.lit("mobile")).otherwise(pl.lit("portal")).alias("channel"),
    ).select("session_id", "requester_id", "article_id", "service_id", "viewed_at", "channel")

    # --- access grants and violations --------------------------------------------------------------
    gi = np.flatnonzero(((process == "access") | (process == "onboarding")) & ~is_open & ~rejected)
    g_at = resolved[gi]
    life = np.where(rng.random(len(gi)) < 0.5, 90, 180) * DAY
    expires = g_at + life
    fate = rng.random(len(gi))
    revoked = np.where(fate < 0.65, g_at + (life * rng.uniform(0.2, 0.95, len(gi))).astype(np.int64),
                       np.where(fate < 0.90, expires + rng.integers(0, 2 * DAY, len(gi)), -1))
    revoked = np.where(revoked < END_TS, revoked, -1)
    grants = pl.DataFrame({
        "request_idx": gi,
        "requester_id": decode(person[gi], requester_ids),
        "system": np.array(SYSTEMS)[rng.integers(0, len(SYSTEMS), len(gi))],
        "granted_at": g_at,
        "expires_at": expires,
        "revoked_at": revoked,
    }).with_row_index("g").with_columns(
        pl.format("GR{}", pl.col("g").cast(pl.String).str.zfill(8)).alias("grant_id"),
        _request_id(),
        pl.when(pl.col("revoked_at") >= 0).then(pl.col("revoked_at")).alias("revoked_at"),
        pl.lit(True).alias("is_approved"),
    )
    overdue = grants.filter(pl.col("revoked_at").is_null() & (pl.col("expires_at") < END_TS))
    n_v = overdue.height
    hit = rng.random(n_v) < 0.3
    exp_arr = overdue["expires_at"].to_numpy()
    v_at = exp_arr + (rng.uniform(0, 1, n_v) * np.maximum(END_TS - exp_arr, 1)).astype(np.int64)
    violations = pl.DataFrame({
        "grant_id": overdue["grant_id"].to_numpy()[hit],
        "requester_id": overdue["requester_id"].to_numpy()[hit],
        "system": overdue["system"].to_numpy()[hit],
        "occurred_at": v_at[hit],
        "violation_type": "access_after_expiry",
    }).with_row_index("v").with_columns(
        pl.format("VIO{}", pl.col("v").cast(pl.String).str.zfill(7)).alias("violation_id"), _ts("occurred_at"),
    ).select("violation_id", "grant_id", "requester_id", "system", "occurred_at", "violation_type")
    grants = grants.with_columns(_ts("granted_at"), _ts("expires_at"), _ts("revoked_at")).select(
        "grant_id", "request_id", "requester_id", "system", "granted_at", "expires_at", "revoked_at", "is_approved")

    # --- request header in local time, with ~1% defects ------------------------------------------
    def to_local(col: str) -> pl.Expr:
        utc = pl.from_epoch(pl.col(col), time_unit="s").dt.replace_time_zone("UTC")
        expr = None
        for tz in sorted(set(site_tz)):
            local = utc.dt.convert_time_zone(tz).dt.replace_time_zone(None)
            expr = (pl.when(pl.col("timezone") == tz).then(local) if expr is None
                    else expr.when(pl.col("timezone") == tz).then(local))
        return expr.alias(col)

    requests = requests.with_columns(
        *[to_local(c) for c in ("opened_at", "first_response_at", "resolved_at", "closed_at")],
    )
    requests = requests.with_columns(
        pl.max_horizontal("opened_at", "first_response_at", "resolved_at", "closed_at").alias("updated_at"),
        pl.lit(co.SOURCE_SYSTEM).alias("source_system"),
    ).select("request_id", "source_system", "requester_id", "service_id", "channel", "priority", "urgency",
             "impact", "status", "resolution_code", "assigned_group", "agent_id", "opened_at",
             "first_response_at", "resolved_at", "closed_at", "updated_at", "timezone")
    clean_requests = requests
    requests, defects = _inject_defects(requests, rng)

    truth = {
        "go_live": co.GO_LIVE.isoformat(),
        "bottleneck_site": co.BOTTLENECK_SITE,
        "bottleneck_step": co.BOTTLENECK_STEP,
        "rubber_stamp_step": co.RUBBER_STAMP_STEP,
        "defects": defects,
        "n_requests_clean": clean_requests.height,
    }
    tables = {
        "sites": sites,
        "service_catalog": catalog,
        "requesters": requesters,
        "agents": agents,
        "requests": requests,
        "request_events": events,
        "tasks": tasks,
        "approvals": approvals,
        "surveys": surveys,
        "knowledge_articles": articles,
        "self_service_sessions": sessions,
        "access_grants": grants,
        "access_violations": violations,
        "automation_runs": automation_runs,
    }
    return Simulation(tables=tables, truth=truth)


def _effort_hours_per_month(n_requests: int) -> dict[str, float]:
    """Expected agent effort per department and month: each simple service is one task of its department,
    each chain one task per step; a task takes about MEAN_EFFORT_MINUTES."""
    weights = np.array([s.weight for s in co.SERVICES])
    tasks = dict.fromkeys(co.DEPARTMENTS, 0.0)
    for s, share in zip(co.SERVICES, weights / weights.sum(), strict=True):
        depts = [s.department] if s.process == "simple" else [d for _, d, *_ in co.CHAINS[s.process]]
        for d in depts:
            tasks[d] += share
    return {d: n_requests * t * co.MEAN_EFFORT_MINUTES / 60 / co.MONTHS for d, t in tasks.items()}


def _inject_defects(requests: pl.DataFrame, rng: np.random.Generator) -> tuple[pl.DataFrame, dict[str, int]]:
    """Plant ~1% realistic defects: missing keys, resolved before opened, unknown service,
    impossible timezone, and duplicate delivery of whole records."""
    n = requests.height
    kind = rng.choice(5, n, p=[0.002, 0.002, 0.002, 0.001, 0.993])
    kinds = pl.Series(kind)
    resolved_ok = requests["resolved_at"].is_not_null()
    bad_order = (kinds == 1) & resolved_ok
    out = requests.with_columns(
        pl.when(kinds == 0).then(None).otherwise(pl.col("request_id")).alias("request_id"),
        pl.when(bad_order).then(pl.col("opened_at") - pl.duration(hours=30)).otherwise(pl.col("resolved_at"))
        .alias("resolved_at"),
        pl.when(kinds == 2).then(pl.lit("SVC-RETIRED-00")).otherwise(pl.col("service_id")).alias("service_id"),
        pl.when(kinds == 3).then(pl.lit("Asia/Shanghia")).otherwise(pl.col("timezone")).alias("timezone"),
    )
    dup_idx = np.flatnonzero(rng.random(n) < 0.003)
    dups = out[dup_idx]
    out = pl.concat([out, dups]).sort("opened_at", nulls_last=True, maintain_order=True)
    defects = {
        "missing_request_id": int((kinds == 0).sum()),
        "resolved_before_opened": int(bad_order.sum()),
        "unknown_service": int((kinds == 2).sum()),
        "unknown_timezone": int((kinds == 3).sum()),
        "duplicate_deliveries": int(len(dup_idx)),
    }
    return out, defects
