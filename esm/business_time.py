"""Business seconds between instants, read from a built warehouse's calendar intervals.

The same running-total lookup as the dbt macro `with_business_cum` (models/macros/), for analysts
and tests; tests/test_business_time.py checks that both give the same answers.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

INTERVALS = "intermediate.int_business_calendar__intervals"

CUM_SQL = f"""
    select p.point, coalesce(i.cum_start + least(greatest(datediff('second', i.start_at, p.ts), 0), i.seconds), 0)
        as cum_seconds
    from points as p
    asof left join {INTERVALS} as i on p.calendar_id = i.calendar_id and p.ts >= i.start_at
"""


def business_seconds(con: duckdb.DuckDBPyConnection, calendar_id: str,
                     spans: list[tuple[datetime, datetime]]) -> list[int]:
    """Business seconds of each (start, end) span (naive UTC) on `calendar_id`."""
    points = pl.DataFrame({
        "point": list(range(2 * len(spans))),
        "calendar_id": [calendar_id] * (2 * len(spans)),
        "ts": [t for span in spans for t in span],
    }, schema={"point": pl.Int64, "calendar_id": pl.String, "ts": pl.Datetime("us")})
    con.register("points", points)
    try:
        cum = dict(con.sql(CUM_SQL).fetchall())
    finally:
        con.unregister("points")
    return [int(cum[2 * k + 1] - cum[2 * k]) for k in range(len(spans))]
