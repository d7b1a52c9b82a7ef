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


RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


def rag(value: float | None, target: float | None, tolerance: float | None, direction: str) -> str | None:
    """Red/amber/green against the catalog's target: green when the target is met, amber within the relative
    tolerance of it, red otherwise; None for neutral metrics or those without a target."""
    if value is None or target is None or direction not in ("higher_is_better", "lower_is_better"):
        return None
    tol = tolerance or 0.0
    if direction == "higher_is_better":
        if value >= target:
            return "green"
        return "amber" if value >= target * (1 - tol) else "red"
    if value <= target:
        return "green"
    return "amber" if target > 0 and value <= target * (1 + tol) else "red"
