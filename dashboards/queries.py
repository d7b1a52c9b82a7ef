"""Every query the dashboards run, against the published warehouse, read-only, briefly, cached."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from esm.settings import paths

TTL_SECONDS = 300


def published_file() -> Path:
    return paths().published


def _version() -> float:
    """Changes when a new warehouse is published, so cached reads refresh after a build."""
    f = published_file()
    return os.stat(f).st_mtime if f.exists() else 0.0


def _read(sql: str, params: list | None = None) -> pl.DataFrame:
    con = duckdb.connect(str(published_file()), read_only=True)
    try:
        return con.sql(sql, params=params or None).pl()
    finally:
        con.close()


def warehouse_ready() -> bool:
    return published_file().exists()


@st.cache_data(ttl=TTL_SECONDS)
def _metrics_catalog(version: float) -> pl.DataFrame:
    return _read("select * from marts.dim_metrics order by family, metric_id")


def metrics_catalog() -> pl.DataFrame:
    return _metrics_catalog(_version())


@st.cache_data(ttl=TTL_SECONDS)
def _built_at(version: float) -> str:
    return str(_read("select max(built_at) as built_at from audit.build_info")["built_at"][0])


def built_at() -> str:
    return _built_at(_version())


@st.cache_data(ttl=TTL_SECONDS)
def _kpi_series(version: float, metric_id: str, dimension: str) -> pl.DataFrame:
    return _read(
        "select month, dimension_value, value from marts.mart_kpi_monthly "
        "where metric_id = ? and dimension = ? order by month, dimension_value",
        [metric_id, dimension],
    )


def kpi_series(metric_id: str, dimension: str = "all") -> pl.DataFrame:
    """Monthly values of one metric for the company (dimension 'all') or per value of a breakdown."""
    return _kpi_series(_version(), metric_id, dimension)


@st.cache_data(ttl=TTL_SECONDS)
def _kpi_month(version: float, month, dimension: str) -> pl.DataFrame:
    return _read(
        "select metric_id, dimension_value, value from marts.mart_kpi_monthly where month = ? and dimension = ?",
        [month, dimension],
    )


def kpi_month(month, dimension: str = "all") -> pl.DataFrame:
    """All metrics for one month."""
    return _kpi_month(_version(), month, dimension)


@st.cache_data(ttl=TTL_SECONDS)
def _months(version: float) -> list:
    return _read(
        "select distinct month from marts.mart_kpi_monthly where metric_id = 'request_volume' "
        "and dimension = 'all' order by month")["month"].to_list()


def months() -> list:
    return _months(_version())


@st.cache_data(ttl=TTL_SECONDS)
def _volume_by(version: float, dimension: str, first_month, last_month) -> pl.DataFrame:
    return _read(
        "select dimension_value, sum(value) as requests from marts.mart_kpi_monthly "
        "where metric_id = 'request_volume' and dimension = ? and month between ? and ? "
        "group by dimension_value order by requests desc",
        [dimension, first_month, last_month],
    )


def volume_by(dimension: str, first_month, last_month) -> pl.DataFrame:
    """Requests opened per value of a breakdown over a period."""
    return _volume_by(_version(), dimension, first_month, last_month)


@st.cache_data(ttl=TTL_SECONDS)
def _departments(version: float) -> pl.DataFrame:
    return _read("select distinct domain_id, domain_name_en, domain_name_zh from marts.dim_services order by 1")


def departments() -> pl.DataFrame:
    return _departments(_version())
