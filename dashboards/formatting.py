"""Numbers as people read them, by the unit the metrics catalog gives."""

from __future__ import annotations


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit in ("ratio", "utilization"):
        return f"{value:.1%}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "currency":
        return f"¥{value:,.0f}"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "minutes":
        return f"{value:,.0f} min"
    if unit == "points":
        return f"{value:+.1f}"
    return f"{value:,.2f}"


def format_delta(delta: float | None, unit: str) -> str | None:
    if delta is None:
        return None
    if unit in ("ratio", "utilization"):
        return f"{delta * 100:+.1f} pp"
    # an ASCII sign: Streamlit reads a leading "-" to point the delta arrow down
    sign = "+" if delta >= 0 else "-"
    return format_value(delta, unit) if unit == "points" else sign + format_value(abs(delta), unit)


def delta_color(direction: str) -> str:
    """Streamlit's delta colour for a metric's direction."""
    return {"higher_is_better": "normal", "lower_is_better": "inverse"}.get(direction, "off")
