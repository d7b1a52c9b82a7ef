"""Interface strings in English and Chinese; metric labels come from the metrics catalog instead."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "zh": "中文"}

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"en": "ESM Warehouse", "zh": "企业服务管理数据仓库"},
    "home_title": {"en": "Service operations overview", "zh": "服务运营总览"},
    "home_caption": {"en": "All service desks as one system: load, experience, efficiency, risk and cost.",
                     "zh": "把各服务台作为一个整体：负载、体验、效率、风险与成本。"},
    "as_of": {"en": "Month", "zh": "月份"},
    "headline": {"en": "Headline KPIs", "zh": "核心指标"},
    "vs_prev": {"en": "vs previous month", "zh": "环比上月"},
    "trend": {"en": "Monthly trend", "zh": "月度趋势"},
    "metric": {"en": "Metric", "zh": "指标"},
    "by_department": {"en": "Requests by department", "zh": "各部门请求量"},
    "by_channel": {"en": "Requests by channel", "zh": "各渠道请求量"},
    "period": {"en": "Period", "zh": "期间"},
    "requests": {"en": "Requests", "zh": "请求量"},
    "department": {"en": "Department", "zh": "部门"},
    "channel": {"en": "Channel", "zh": "渠道"},
    "month": {"en": "Month", "zh": "月份"},
    "value": {"en": "Value", "zh": "数值"},
    "no_warehouse": {"en": "No published warehouse yet. Run `esm demo` or `esm build`.",
                     "zh": "尚无已发布的数据仓库。请先运行 `esm demo` 或 `esm build`。"},
    "built_at": {"en": "Warehouse built at (UTC)", "zh": "数据仓库构建时间（UTC）"},
    "attribution": {"en": "Demo data is simulated.", "zh": "演示数据为模拟数据。"},
    "page_home": {"en": "Overview", "zh": "总览"},
    "target": {"en": "Target", "zh": "目标"},
    "against_target": {"en": "Against target", "zh": "目标达成情况"},
    "status": {"en": "Status", "zh": "状态"},
    "rag_green": {"en": "on target", "zh": "达标"},
    "rag_amber": {"en": "near target", "zh": "接近目标"},
    "rag_red": {"en": "off target", "zh": "未达标"},
}

CHANNEL_LABELS = {
    "portal": {"en": "Portal", "zh": "服务门户"}, "email": {"en": "Email", "zh": "邮件"},
    "mobile": {"en": "Mobile", "zh": "移动端"}, "wecom": {"en": "WeCom", "zh": "企业微信"},
    "dingtalk": {"en": "DingTalk", "zh": "钉钉"}, "feishu": {"en": "Feishu", "zh": "飞书"},
    "phone": {"en": "Phone", "zh": "电话"},
}


def lang() -> str:
    return st.session_state.get("lang", "en")


def t(key: str) -> str:
    """The interface string `key` in the current language."""
    entry = TEXT[key]
    return entry.get(lang(), entry["en"])


def channel_label(code: str) -> str:
    return CHANNEL_LABELS.get(code, {}).get(lang(), code)


def language_switch() -> None:
    # the label stays the same in both languages: a label change would make Streamlit reset the widget
    st.sidebar.radio("Language / 语言", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
