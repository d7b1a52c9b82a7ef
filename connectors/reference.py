"""Reference data from configuration: business calendars as UTC working intervals, SLA policies."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import holidays
import polars as pl
import yaml

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(9999, 12, 31)


def _weekdays(spec: str) -> list[int]:
    """'mon-fri' -> [0..4]; 'sat' -> [5]."""
    first, _, last = spec.partition("-")
    a = DAYS.index(first)
    b = DAYS.index(last or first)
    return list(range(a, b + 1))


def _weekly(hours: dict[str, list[str]]) -> dict[int, list[str]]:
    """{'mon-fri': [...], 'sat': [...]} -> {weekday: shifts}."""
    weekly: dict[int, list[str]] = {}
    for spec, shifts in hours.items():
        for wd in _weekdays(spec):
            weekly[wd] = shifts
    return weekly


def _shift(day: date, text: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """'09:00-12:00' on a local day -> (start, end) in naive UTC; '24:00' is the next midnight."""
    a, b = text.split("-")

    def at(hhmm: str) -> datetime:
        h, m = map(int, hhmm.split(":"))
        local = datetime.combine(day, time()) + timedelta(hours=h, minutes=m)
        # attach the zone to the wall time, then convert (DST gaps and folds resolve as zoneinfo does)
        return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    return at(a), at(b)


def _weekend_in_holiday_block(day: date, holidays_off: set[date]) -> bool:
    """A Saturday or Sunday next to a public holiday (Fri/Mon, or across the weekend) belongs to the
    official holiday block in China: off even for calendars that work weekends (make-up days aside)."""
    if day.weekday() == 5:
        neighbours = (-1, 1, 2)
    elif day.weekday() == 6:
        neighbours = (-2, -1, 1)
    else:
        return False
    return any(day + timedelta(days=k) in holidays_off for k in neighbours)


def calendar_intervals(config: dict) -> pl.DataFrame:
    """Working intervals per calendar over the configured years, in naive UTC."""
    first_year, last_year = config.get("years", [2015, 2028])
    rows = []
    for cal_id, cal in config["calendars"].items():
        zone = ZoneInfo(cal["timezone"])
        years = range(first_year, last_year + 1)
        off, make_up = set(), set()
        if cal.get("country"):
            h = holidays.country_holidays(cal["country"], subdiv=cal.get("subdivision"), years=years)
            off = set(h)
            make_up = set(getattr(h, "weekend_workdays", ()))
        # the weekly hours in force from each date on: the base, then each change from its date
        versions = [(FAR_PAST, _weekly(cal["hours"]))] + sorted(
            (_as_date(c["from"]), _weekly(c["hours"])) for c in cal.get("changes", []))
        day = date(first_year, 1, 1)
        while day.year <= last_year:
            weekly = next(w for since, w in reversed(versions) if since <= day)
            workday_shifts = weekly.get(0, [])  # a make-up day works Monday's hours
            if day in make_up:
                shifts, kind = workday_shifts, "make_up_workday"
            elif day in off or (cal.get("country") == "CN" and _weekend_in_holiday_block(day, off)):
                shifts, kind = [], "holiday"
            else:
                shifts, kind = weekly.get(day.weekday(), []), "workday"
            for text in shifts:
                start, end = _shift(day, text, zone)
                if end > start:
                    rows.append((cal_id, day, kind, start, end, int((end - start).total_seconds())))
            day += timedelta(days=1)
    return pl.DataFrame(rows, schema=["calendar_id", "local_date", "day_kind", "start_at", "end_at", "seconds"],
                        orient="row")


def holiday_days(config: dict) -> pl.DataFrame:
    """Every holiday and make-up working day per calendar (for drill-down and tests)."""
    first_year, last_year = config.get("years", [2015, 2028])
    rows = []
    for cal_id, cal in config["calendars"].items():
        if not cal.get("country"):
            continue
        h = holidays.country_holidays(cal["country"], subdiv=cal.get("subdivision"),
                                      years=range(first_year, last_year + 1))
        rows += [(cal_id, d, "holiday", name) for d, name in h.items()]
        rows += [(cal_id, d, "make_up_workday", "make-up working day") for d in getattr(h, "weekend_workdays", ())]
    return pl.DataFrame(rows, schema=["calendar_id", "local_date", "day_kind", "name"], orient="row")


REQUEST_MATCH_FIELDS = ("priority", "domain", "service_id", "site_id", "requester_role")
TASK_MATCH_FIELDS = ("step", "department", "site_id")


def _as_date(value) -> date:
    """A YAML date (or an ISO date string) as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def sla_policy_rows(config: dict) -> pl.DataFrame:
    """Flatten SLA policies and OLAs: one row per policy x target, match fields as columns (null = any)."""
    rows = []
    sections = [("request", p, REQUEST_MATCH_FIELDS) for p in config.get("policies", [])]
    sections += [("task", p, TASK_MATCH_FIELDS) for p in config.get("olas", [])]
    for sequence, (subject, policy, fields) in enumerate(sections, start=1):
        match = policy.get("match") or {}
        unknown = set(match) - set(fields)
        if unknown:
            raise ValueError(f"SLA policy {policy['id']}: cannot match on {', '.join(sorted(unknown))} "
                             f"(use {', '.join(fields)})")
        if policy.get("clock", "business") not in ("business", "calendar"):
            raise ValueError(f"SLA policy {policy['id']}: clock must be business or calendar")
        targets = policy["targets"] if subject == "request" else {"ola": policy["target"]}
        for target_type, minutes in targets.items():
            if target_type not in ("response", "resolution", "ola"):
                raise ValueError(f"SLA policy {policy['id']}: unknown target {target_type}")
            rows.append({
                "policy_id": policy["id"], "sequence": sequence, "subject_type": subject,
                "target_type": target_type, "target_minutes": float(minutes),
                "clock_type": policy.get("clock", "business"),
                **{f"match_{f}": (str(match[f]) if f in match else None)
                   for f in REQUEST_MATCH_FIELDS + TASK_MATCH_FIELDS},
                "effective_from": _as_date(policy.get("effective_from", FAR_PAST)),
                "effective_to": _as_date(policy.get("effective_to", FAR_FUTURE)),
            })
    return pl.DataFrame(rows, schema_overrides={f"match_{f}": pl.String
                                                for f in REQUEST_MATCH_FIELDS + TASK_MATCH_FIELDS})


MAPPING_FIELDS = ("source_category", "source_subcategory", "subject", "channel", "assigned_group", "priority")
CATALOG_ITEM_COLUMNS = ("service_id", "department", "department_name_en", "department_name_zh", "category_en",
                        "category_zh", "name_en", "name_zh", "process")


def catalog_mapping(config: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """catalog_mapping.yml -> (catalog items, rules flattened to one row per pattern, in rule order)."""
    items = config.get("catalog") or []
    other = config.get("other_service_id", "OTHER")
    for item in items:
        missing = [c for c in ("service_id", "department", "name_en") if not item.get(c)]
        if missing:
            raise ValueError(f"catalog item {item}: needs {', '.join(missing)}")
    if other not in {i["service_id"] for i in items}:
        raise ValueError(f"other_service_id {other} must be one of the catalog items")
    rows = []
    for order, rule in enumerate(config.get("rules") or [], start=1):
        if rule.get("field") not in MAPPING_FIELDS:
            raise ValueError(f"mapping rule {order}: field must be one of {', '.join(MAPPING_FIELDS)}")
        if not rule.get("service_id"):
            raise ValueError(f"mapping rule {order}: needs a service_id")
        kinds = [k for k in ("equals", "in", "contains", "regex") if k in rule]
        if len(kinds) != 1:
            raise ValueError(f"mapping rule {order}: give exactly one of equals, in, contains, regex")
        kind = kinds[0]
        values = rule[kind] if isinstance(rule[kind], list) else [rule[kind]]
        if kind == "regex":
            for v in values:
                re.compile(str(v))
        for v in values:
            rows.append({"rule_order": order, "source_system": rule.get("source"), "field": rule["field"],
                         "match_type": "equals" if kind == "in" else kind, "pattern": str(v),
                         "service_id": rule["service_id"]})
    item_frame = pl.DataFrame([{c: (str(i[c]) if i.get(c) is not None else None) for c in CATALOG_ITEM_COLUMNS}
                               for i in items], schema={c: pl.String for c in CATALOG_ITEM_COLUMNS})
    item_frame = item_frame.with_columns(pl.col("service_id").eq(other).alias("is_other"))
    rule_frame = pl.DataFrame(rows, schema={"rule_order": pl.Int64, "source_system": pl.String, "field": pl.String,
                                            "match_type": pl.String, "pattern": pl.String, "service_id": pl.String})
    return item_frame, rule_frame


def load_metrics_catalog(config_dir: Path) -> list[dict]:
    """The metrics catalog (config/metrics.yml) as a list of metric definitions."""
    return yaml.safe_load((config_dir / "metrics.yml").read_text())["metrics"]


def load_reference(con: duckdb.DuckDBPyConnection, config_dir: Path, sla_file: Path | None = None) -> dict[str, int]:
    """(Re)load calendars, SLA policies and the metrics catalog into the `reference` schema; row counts."""
    cal_cfg = yaml.safe_load((config_dir / "calendars.yml").read_text())
    sla_cfg = yaml.safe_load((sla_file or config_dir / "sla_policies.yml").read_text())
    intervals = calendar_intervals(cal_cfg)
    days = holiday_days(cal_cfg)
    calendars = pl.DataFrame([
        {"calendar_id": k, "timezone": v["timezone"], "country": v.get("country"),
         "is_default": k == cal_cfg.get("default_calendar")}
        for k, v in cal_cfg["calendars"].items()
    ])
    policies = sla_policy_rows(sla_cfg)
    pauses = pl.DataFrame({"status": sla_cfg.get("pause_statuses", [])}, schema={"status": pl.String})
    shares = sla_cfg.get("escalation_shares", [1.0])
    settings = pl.DataFrame({"near_breach_share": [float(sla_cfg.get("near_breach_share", 0.8))]})
    levels = pl.DataFrame({"escalation_level": list(range(1, len(shares) + 1)),
                           "target_share": [float(x) for x in shares]})
    metrics = pl.DataFrame([
        {"metric_id": m["id"], "family": m["family"], "label_en": m["label_en"], "label_zh": m["label_zh"],
         "unit": m["unit"], "direction": m["direction"], "target": m.get("target"),
         "amber_tolerance": m.get("amber_tolerance"), "formula": m["formula"]}
        for m in load_metrics_catalog(config_dir)
    ], schema_overrides={"target": pl.Float64, "amber_tolerance": pl.Float64})
    mapping_file = config_dir / "catalog_mapping.yml"
    items, rules = catalog_mapping(yaml.safe_load(mapping_file.read_text()) if mapping_file.exists()
                                   else {"catalog": [{"service_id": "OTHER", "department": "UNMAPPED",
                                                      "name_en": "Other", "name_zh": "其他"}]})
    con.execute("create schema if not exists reference")
    tables = {"catalog_items": items, "catalog_rules": rules,
              "calendars": calendars, "calendar_intervals": intervals, "calendar_days": days,
              "sla_policies": policies, "sla_pause_statuses": pauses, "sla_settings": settings,
              "sla_escalation_levels": levels, "metrics": metrics}
    for name, frame in tables.items():
        con.register("_frame", frame)
        con.execute(f"create or replace table reference.{name} as select * from _frame")
        con.unregister("_frame")
    return {name: frame.height for name, frame in tables.items()}
