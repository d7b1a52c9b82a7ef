"""ServiceNow: CSV exports (including audit event logs, one snapshot of a record per update) and the Table API.

Event log: every row is the state of an incident after one update, ordered by `sys_mod_count`. The last
snapshot is the request; changes between consecutive snapshots become status, reopen and assignment events;
every snapshot is kept as a payload. Dates are the instance's display format (`d/m/yyyy HH:MM` by default)
in the instance's time zone, given by the `timezone` option.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx

from connectors.framework import Chunk, Connector, ConnectorError
from connectors.sql import quote, value_map

# incident_state / state labels -> the canonical request states (overridable with the `status_map` option)
STATUS_MAP = {
    "new": "new", "1": "new",
    "active": "in_progress", "in progress": "in_progress", "2": "in_progress", "work in progress": "in_progress",
    "on hold": "on_hold", "3": "on_hold", "awaiting problem": "on_hold", "awaiting evidence": "on_hold",
    "awaiting user info": "waiting_on_requester", "awaiting caller": "waiting_on_requester",
    "awaiting vendor": "waiting_on_third_party", "awaiting change": "on_hold",
    "resolved": "resolved", "6": "resolved",
    "closed": "closed", "7": "closed", "closed complete": "closed", "closed incomplete": "closed",
    "canceled": "cancelled", "cancelled": "cancelled", "8": "cancelled", "closed skipped": "cancelled",
    "pending": "new", "-5": "new", "open": "in_progress", "work_in_progress": "in_progress",
}
CHANNEL_MAP = {"phone": "phone", "email": "email", "self service": "portal", "self-service": "portal",
               "ivr": "phone", "direct opening": "walk_in", "walk-in": "walk_in", "chat": "chat",
               "virtual_agent": "chat", "web": "portal"}
PRIORITY_MAP = {"1": "P1", "2": "P2", "3": "P3", "4": "P4", "5": "P4"}
EVENT_LOG_DATE = "%d/%m/%Y %H:%M"


def _csv_path(path: Path, workdir: Path) -> Path:
    """A zip holding one CSV is unpacked next to the warehouse; a CSV is read where it lies."""
    if path.suffix.lower() != ".zip":
        return path
    with zipfile.ZipFile(path) as zf:
        members = [m for m in zf.namelist() if m.lower().endswith(".csv")]
        if len(members) != 1:
            raise ConnectorError(f"{path.name}: expected one CSV inside the zip, found {len(members)}")
        workdir.mkdir(parents=True, exist_ok=True)
        target = workdir / Path(members[0]).name
        if not target.exists() or target.stat().st_size != zf.getinfo(members[0]).file_size:
            zf.extract(members[0], workdir)
            (workdir / members[0]).rename(target) if (workdir / members[0]) != target else None
        return target


class ServiceNowConnector(Connector):
    name = "servicenow"
    title = "ServiceNow: Table API, or CSV / event-log exports (--file, a .csv or a .zip)"
    options_help = {
        "file": "a CSV export or event log (.csv or .zip holding one)",
        "url": "instance URL for the Table API, e.g. https://acme.service-now.com",
        "user_env": "environment variable holding the API user",
        "password_env": "environment variable holding the API password",
        "token_env": "environment variable holding an OAuth bearer token (instead of user/password)",
        "timezone": "the instance's time zone for export dates (default UTC)",
        "date_format": f"strptime format of export dates (default {EVENT_LOG_DATE})",
        "page_size": "records per API page (default 1000)",
        "tables": "Table API tables to read (default all supported)",
    }

    def prefetches(self) -> bool:
        return not self.option("file")  # the Table API prefetches; exports are read in SQL on the run's connection

    def chunks(self) -> Iterator[Chunk]:
        if self.option("file"):
            yield from self._file_chunks(Path(self.option("file")))
        elif self.option("url"):
            from connectors.servicenow_api import table_api_chunks

            yield from table_api_chunks(self)
        else:
            raise ConnectorError("servicenow: give --file (a CSV export) or --url (the Table API)")

    # ---- CSV and event-log exports -------------------------------------------------------------------
    def _file_chunks(self, path: Path) -> Iterator[Chunk]:
        if not path.exists():
            raise ConnectorError(f"servicenow: no such file {path}")
        from esm.settings import paths

        csv = _csv_path(path, paths().home / "landing" / "unpacked")
        con = self.con
        fmt = self.option("date_format", EVENT_LOG_DATE).replace("'", "''")
        tz = self.option("timezone", "UTC").replace("'", "''")
        status_map = STATUS_MAP | {k.lower(): v for k, v in (self.option("status_map") or {}).items()}
        src = f"read_csv({quote(str(csv))}, all_varchar = true, nullstr = '?', header = true)"
        cols = {r[0] for r in con.execute(f"describe select * from {src}").fetchall()}
        needed = {"number", "opened_at"}
        if not needed <= cols:
            raise ConnectorError(f"{path.name}: not a ServiceNow incident export (lacks {', '.join(needed - cols)})")

        def col(name: str, default: str = "null") -> str:
            return f'"{name}"' if name in cols else default

        def ts(name: str) -> str:
            return f"try_strptime({col(name)}, '{fmt}')" if name in cols else "null::timestamp"

        state = col("incident_state", col("state"))
        channel = value_map("trim(" + col("contact_type", "''") + ")", CHANNEL_MAP, "'other'")
        priority = value_map("trim(split_part(" + col("priority", "''") + ", ' ', 1))", PRIORITY_MAP, "null")
        order = f"try_cast({col('sys_mod_count', '0')} as integer)"
        con.execute(f"""
            create or replace temp table _sn_snapshots as
            select *, row_number() over (partition by number order by {order}, _row) as _version,
                   count(*) over (partition by number) as _versions
            from (select *, row_number() over () as _row from {src})""")
        con.execute(f"""
            create or replace temp table _sn_steps as
            select number, _version, _versions, _row,
                   {value_map(f"trim({state})", status_map, "'unknown'")} as status,
                   lag({value_map(f"trim({state})", status_map, "'unknown'")}) over w as prev_status,
                   {col("assignment_group")} as assigned_group,
                   lag({col("assignment_group")}) over w as prev_group,
                   coalesce(try_cast({col("reopen_count", "0")} as integer), 0) as reopen_count,
                   coalesce(lag(try_cast({col("reopen_count", "0")} as integer)) over w, 0) as prev_reopen_count,
                   {ts("sys_updated_at")} as updated_at, {col("sys_updated_by")} as updated_by
            from _sn_snapshots window w as (partition by number order by _version)""")
        con.execute(f"""
            create or replace temp table _sn_requests as
            with first_move as (  -- first response: the first update that moved the incident out of New
                select number, min(updated_at) as first_response_at
                from _sn_steps where _version > 1 and status <> 'new' group by number)
            select s.number as request_id, 'servicenow' as source_system,
                   {col("caller_id")} as requester_id, null::varchar as service_id,
                   {channel} as channel, {priority} as priority,
                   try_cast(split_part({col("urgency", "''")}, ' ', 1) as bigint) as urgency,
                   try_cast(split_part({col("impact", "''")}, ' ', 1) as bigint) as impact,
                   {value_map(f"trim({state})", status_map, "'unknown'")} as status,
                   {col("closed_code")} as resolution_code, {col("assignment_group")} as assigned_group,
                   {col("assigned_to")} as agent_id, {ts("opened_at")} as opened_at,
                   -- opened_at is editable in ServiceNow: a first move stamped before it counts as at opening
                   greatest(f.first_response_at, {ts("opened_at")}) as first_response_at,
                   {ts("resolved_at")} as resolved_at, {ts("closed_at")} as closed_at,
                   {ts("sys_updated_at")} as updated_at, '{tz}' as timezone,
                   {col("category")} as source_category, {col("subcategory")} as source_subcategory,
                   {col("u_symptom", col("short_description"))} as subject,
                   try_cast({col("made_sla")} as boolean) as source_sla_met
            from _sn_snapshots s left join first_move f on s.number = f.number
            where s._version = s._versions""")
        con.execute("""
            create or replace temp table _sn_events as
            select number || ':' || _version || ':status' as event_id, number as request_id,
                   'status_change' as event_type, updated_at as occurred_at,
                   prev_status as from_value, status as to_value, updated_by as actor_id, false as is_public
            from _sn_steps where status is distinct from prev_status and updated_at is not null
            union all
            select number || ':' || _version || ':reopen:' || k, number, 'status_change', updated_at,
                   'resolved', 'reopened', updated_by, false
            from _sn_steps, range(reopen_count - prev_reopen_count) t(k)
            where reopen_count > prev_reopen_count and updated_at is not null
            union all
            select number || ':' || _version || ':group', number, 'assignment_change', updated_at,
                   prev_group, assigned_group, updated_by, false
            from _sn_steps where assigned_group is distinct from prev_group and assigned_group is not null
              and updated_at is not null""")
        con.execute("""
            create or replace temp table _sn_payloads as
            select 'incident_snapshot' as object_type, number || ':' || _version as object_id,
                   to_json(s) as payload
            from (select * exclude (_row, _version, _versions), _version from _sn_snapshots) s""")
        yield Chunk(frames={"requests": "_sn_requests", "request_events": "_sn_events"},
                    payload_relation="_sn_payloads", label=path.name)
        for table in ("_sn_snapshots", "_sn_steps", "_sn_requests", "_sn_events", "_sn_payloads"):
            con.execute(f"drop table if exists {table}")

    # ---- Table API -----------------------------------------------------------------------------------
    def auth(self) -> tuple[httpx.Auth | tuple[str, str] | None, dict[str, str]]:
        token = self.secret("token")
        if token:
            return None, {"Authorization": f"Bearer {token}"}
        user, password = self.secret("user"), self.secret("password")
        if user is None or password is None:
            raise ConnectorError("servicenow: set user_env and password_env (or token_env) in the source options")
        return (user, password), {}


