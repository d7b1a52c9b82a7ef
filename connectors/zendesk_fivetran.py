"""Zendesk Support as Fivetran already synced it into a database (Fivetran's documented Zendesk schema).

Tables read: ticket, ticket_field_history, ticket_comment, user, group, satisfaction_rating, schedule,
schedule_holiday, ticket_schedule. Incremental on `_fivetran_synced` per table; a ticket with
`_fivetran_deleted` is a deletion. The database is attached read-only through DuckDB (a DuckDB/MotherDuck
destination file, or any database DuckDB attaches); everything is mapped in SQL, nothing row by row in Python.
Schedules, holidays and ticket schedules are kept as payloads for calendar mapping (see the closing notes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from connectors.framework import Chunk, Connector, ConnectorError
from connectors.sql import quote, value_map
from connectors.zendesk import CHANNEL_MAP, PRIORITY_MAP, STATUS_MAP

ALIAS = "_fivetran_zendesk"


class ZendeskFivetranConnector(Connector):
    name = "zendesk_fivetran"
    title = "Zendesk Support from a Fivetran-synced schema (ticket, ticket_field_history, ticket_comment, ...)"
    options_help = {"database": "the database file Fivetran syncs into (DuckDB)",
                    "schema": "the schema of the Zendesk connector (default zendesk)"}

    def chunks(self) -> Iterator[Chunk]:
        database = Path(self.option("database", required=True))
        if not database.exists():
            raise ConnectorError(f"zendesk_fivetran: no such database {database}")
        schema = self.option("schema", "zendesk")
        con = self.con
        con.execute(f"attach {quote(str(database))} as {ALIAS} (read_only)")
        try:
            tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_catalog = ? and table_schema = ?",
                [ALIAS, schema]).fetchall()}
            if "ticket" not in tables:
                raise ConnectorError(f"{database.name}: no {schema}.ticket table (is this a Fivetran Zendesk schema?)")
            yield from self._sync(con, f"{ALIAS}.{schema}", tables)
        finally:
            con.execute(f"detach {ALIAS}")

    def _since(self, table: str) -> str:
        cursor = self.cursors.get(table)
        return f"_fivetran_synced >= {quote(cursor)}::timestamp" if cursor else "true"

    def _sync(self, con, s: str, tables: set[str]) -> Iterator[Chunk]:
        cursors: dict[str, str] = {}
        for table in tables & {"ticket", "ticket_field_history", "ticket_comment", "user", "group",
                               "satisfaction_rating", "schedule", "schedule_holiday", "ticket_schedule"}:
            latest = con.execute(f'select max(_fivetran_synced)::varchar from {s}."{table}" '
                                 f"where {self._since(table)}").fetchone()[0]
            if latest:
                cursors[table] = latest
        con.execute(f"""create or replace temp view _zf_tickets as
            select * from {s}.ticket where {self._since('ticket')}""")
        con.execute(f"""create or replace temp view _zf_requests as
            select cast(id as varchar) as request_id, cast(requester_id as varchar) as requester_id,
                   {value_map('via_channel', CHANNEL_MAP, "'other'")} as channel,
                   {value_map('priority', PRIORITY_MAP, "'P3'")} as priority,
                   {value_map('status', STATUS_MAP, "'unknown'")} as status,
                   cast(group_id as varchar) as assigned_group, cast(assignee_id as varchar) as agent_id,
                   created_at as opened_at, updated_at, 'UTC' as timezone, type as source_category,
                   subject
            from _zf_tickets where not coalesce(_fivetran_deleted, false)""")
        frames = {"requests": "_zf_requests"}
        if "ticket_field_history" in tables:
            con.execute(f"""create or replace temp view _zf_events as
                select cast(ticket_id as varchar) || ':' || field_name || ':' || epoch_us(updated) as event_id,
                       cast(ticket_id as varchar) as request_id,
                       case field_name when 'status' then 'status_change' else 'assignment_change' end as event_type,
                       updated as occurred_at,
                       case when field_name = 'status' then {value_map('prev', STATUS_MAP, 'prev')} else prev end
                           as from_value,
                       case when field_name = 'status' then {value_map('value', STATUS_MAP, 'value')} else value end
                           as to_value,
                       cast(user_id as varchar) as actor_id, false as is_public
                from (select *, lag(value) over (partition by ticket_id, field_name order by updated) as prev
                      from {s}.ticket_field_history where field_name in ('status', 'group_id'))
                where {self._since('ticket_field_history')}""")
            frames["request_events"] = "_zf_events"
        if "ticket_comment" in tables:
            con.execute(f"""create or replace temp view _zf_comments as
                select 'comment:' || cast(id as varchar) as event_id, cast(ticket_id as varchar) as request_id,
                       'comment' as event_type, created as occurred_at, cast(user_id as varchar) as actor_id,
                       coalesce(public, false) as is_public
                from {s}.ticket_comment where {self._since('ticket_comment')}""")
        if "satisfaction_rating" in tables:
            con.execute(f"""create or replace temp view _zf_surveys as
                select cast(id as varchar) as survey_id, cast(ticket_id as varchar) as request_id,
                       case score when 'good' then 5 when 'bad' then 1 end as csat_score, updated_at as answered_at
                from {s}.satisfaction_rating where score in ('good', 'bad') and {self._since('satisfaction_rating')}""")
            frames["surveys"] = "_zf_surveys"
        if "user" in tables:
            con.execute(f"""create or replace temp view _zf_requesters as
                select cast(id as varchar) as requester_id, cast(organization_id as varchar) as org_unit,
                       role from {s}."user" where role = 'end-user' and {self._since('user')}""")
            frames["requesters"] = "_zf_requesters"
        payload_parts = [f"""select '{t}' as object_type, cast({'id' if t != 'ticket_schedule' else 'ticket_id'}
                                 as varchar) as object_id, to_json(x)::varchar as payload
                             from {s}."{t}" x where {self._since(t)}"""
                         for t in ("ticket", "group", "schedule", "schedule_holiday", "ticket_schedule") if t in tables]
        con.execute("create or replace temp view _zf_payloads as " + " union all ".join(payload_parts))
        deletions = con.execute("select cast(id as varchar), updated_at from _zf_tickets "
                                "where coalesce(_fivetran_deleted, false)").fetchall()
        comment_cursor = {k: cursors.pop(k) for k in ["ticket_comment"] if k in cursors}
        yield Chunk(frames=frames, payload_relation="_zf_payloads", label="fivetran:zendesk", cursors=cursors,
                    deletions=[("requests", i, at) for i, at in deletions])
        if "ticket_comment" in tables:  # comments are events too: a second relation of the same entity
            yield Chunk(frames={"request_events": "_zf_comments"}, label="fivetran:zendesk.ticket_comment",
                        cursors=comment_cursor)
