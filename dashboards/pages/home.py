"""Executive overview: headline KPIs, the monthly trend, and load by department and channel."""

import sys
from pathlib import Path

import plotly.express as px
import polars as pl
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dashboards import queries  # noqa: E402
from dashboards.formatting import RAG_ORDER, delta_color, format_delta, format_value, rag  # noqa: E402
from dashboards.i18n import channel_label, lang, language_switch, t  # noqa: E402

HEADLINE = ["request_volume", "csat_mean", "sla_attainment_rate", "lead_time_median_hours",
            "self_service_success_rate", "overdue_access_grant_rate", "cost_per_request", "automation_coverage"]


def latest_complete_month(months: list, volumes: pl.DataFrame):
    """The last month unless its volume is under half the month before (a month still in progress)."""
    if len(months) >= 2:
        v = dict(zip(volumes["month"].to_list(), volumes["value"].to_list(), strict=True))
        if v.get(months[-1], 0) < 0.5 * v.get(months[-2], 0):
            return months[-2]
    return months[-1]


def main() -> None:
    language_switch()
    st.title(t("home_title"))
    st.caption(t("home_caption"))
    if not queries.warehouse_ready():
        st.warning(t("no_warehouse"))
        return
    catalog = queries.metrics_catalog()
    meta = {r["metric_id"]: r for r in catalog.iter_rows(named=True)}
    label = (lambda m: meta[m]["label_zh"]) if lang() == "zh" else (lambda m: meta[m]["label_en"])
    months = queries.months()
    volumes = queries.kpi_series("request_volume")
    default = latest_complete_month(months, volumes)
    month = st.selectbox(t("as_of"), months, index=months.index(default), format_func=lambda m: m.strftime("%Y-%m"),
                         key="month")
    prev = months[months.index(month) - 1] if months.index(month) > 0 else None
    now = dict(queries.kpi_month(month).select("metric_id", "value").iter_rows())
    before = dict(queries.kpi_month(prev).select("metric_id", "value").iter_rows()) if prev else {}

    st.subheader(t("headline"))
    cols = st.columns(4)
    for i, metric_id in enumerate(m for m in HEADLINE if m in meta):
        m = meta[metric_id]
        value, old = now.get(metric_id), before.get(metric_id)
        delta = (value - old) if value is not None and old is not None else None
        cols[i % 4].metric(label(metric_id), format_value(value, m["unit"]), format_delta(delta, m["unit"]),
                           delta_color=delta_color(m["direction"]), help=m["formula"])

    st.subheader(t("against_target"))
    rows = []
    for metric_id, m in meta.items():
        status = rag(now.get(metric_id), m["target"], m["amber_tolerance"], m["direction"])
        if status:
            rows.append({t("metric"): label(metric_id), t("value"): format_value(now.get(metric_id), m["unit"]),
                         t("target"): format_value(m["target"], m["unit"]), t("status"): t(f"rag_{status}"),
                         "rank": RAG_ORDER[status]})
    st.dataframe(pl.DataFrame(rows).sort("rank", maintain_order=True).drop("rank"), hide_index=True,
                 width="stretch")

    st.subheader(t("trend"))
    metric_id = st.selectbox(t("metric"), [m for m in meta], index=list(meta).index("request_volume"),
                             format_func=label, key=f"trend_metric_{lang()}")
    series = queries.kpi_series(metric_id)
    fig = px.line(series.to_pandas(), x="month", y="value", markers=True,
                  labels={"month": t("month"), "value": label(metric_id)})
    target = meta[metric_id]["target"]
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", annotation_text=t("target"))
    st.plotly_chart(fig, width="stretch", key="trend_chart")

    first = months[max(0, months.index(month) - 11)]
    st.caption(f"{t('period')}: {first.strftime('%Y-%m')} – {month.strftime('%Y-%m')}")
    left, right = st.columns(2)
    names = {r["domain_id"]: r[f"domain_name_{lang()}"] for r in queries.departments().iter_rows(named=True)}
    by_dept = queries.volume_by("department", first, month).with_columns(
        pl.col("dimension_value").replace_strict(names, default=pl.col("dimension_value")).alias("department"))
    left.markdown(f"**{t('by_department')}**")
    left.plotly_chart(px.bar(by_dept.to_pandas(), x="department", y="requests",
                             labels={"department": t("department"), "requests": t("requests")}),
                      width="stretch", key="dept_chart")
    by_channel = queries.volume_by("channel", first, month).with_columns(
        pl.col("dimension_value").map_elements(channel_label, return_dtype=pl.String).alias("channel"))
    right.markdown(f"**{t('by_channel')}**")
    right.plotly_chart(px.bar(by_channel.to_pandas(), x="channel", y="requests",
                              labels={"channel": t("channel"), "requests": t("requests")}),
                       width="stretch", key="channel_chart")
    st.caption(f"{t('built_at')}: {queries.built_at()} · {t('attribution')}")


main()
