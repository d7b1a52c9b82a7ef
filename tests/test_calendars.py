"""Business calendars from the holidays library: holidays, make-up working days and DST, by hand."""

from datetime import date, datetime

import polars as pl
import pytest
import yaml

from connectors.reference import calendar_intervals
from esm.settings import CONFIG_DIR


@pytest.fixture(scope="module")
def intervals() -> pl.DataFrame:
    cfg = yaml.safe_load((CONFIG_DIR / "calendars.yml").read_text())
    cfg["years"] = [2025, 2025]
    return calendar_intervals(cfg)


def day(intervals, cal, d):
    return intervals.filter((pl.col("calendar_id") == cal) & (pl.col("local_date") == d)).sort("start_at")


def test_national_day_has_no_working_time(intervals):
    for d in range(1, 9):  # 1-8 October 2025: National Day, Mid-Autumn and substituted days off
        assert day(intervals, "cn_office", date(2025, 10, d)).height == 0


def test_make_up_sunday_works_office_hours_in_utc(intervals):
    rows = day(intervals, "cn_office", date(2025, 9, 28))  # a Sunday worked instead of 7 October
    assert rows["day_kind"].to_list() == ["make_up_workday", "make_up_workday"]
    assert rows["start_at"].to_list() == [datetime(2025, 9, 28, 1), datetime(2025, 9, 28, 5)]
    assert rows["end_at"].to_list() == [datetime(2025, 9, 28, 4), datetime(2025, 9, 28, 10)]
    assert rows["seconds"].sum() == 8 * 3600


def test_munich_office_follows_daylight_saving(intervals):
    before = day(intervals, "de_by_office", date(2025, 3, 28))  # CET, UTC+1
    after = day(intervals, "de_by_office", date(2025, 3, 31))  # CEST, UTC+2
    assert before["start_at"][0] == datetime(2025, 3, 28, 7)
    assert after["start_at"][0] == datetime(2025, 3, 31, 6)
    assert day(intervals, "de_by_office", date(2025, 3, 29)).height == 0  # Saturday
    assert day(intervals, "de_by_office", date(2025, 4, 21)).height == 0  # Easter Monday (Bavaria)


def test_plant_works_saturday_mornings_and_always_on_never_stops(intervals):
    sat = day(intervals, "cn_plant", date(2025, 6, 7))
    assert sat["seconds"].sum() == 4 * 3600
    always = intervals.filter(pl.col("calendar_id") == "always_on")
    assert always["seconds"].sum() == 365 * 86_400


def test_each_chinese_site_keeps_its_own_hours(intervals):
    d = date(2025, 6, 4)
    hours = {cal: day(intervals, cal, d)["seconds"].sum() / 3600
             for cal in ("cn_office", "cn_office_shenzhen", "cn_office_chengdu", "cn_plant")}
    assert hours == {"cn_office": 8, "cn_office_shenzhen": 7.5, "cn_office_chengdu": 7, "cn_plant": 8}


def test_plant_saturday_inside_national_day_block_is_off(intervals):
    assert day(intervals, "cn_plant", date(2025, 10, 4)).height == 0  # Saturday between 3 and 6 October
    assert day(intervals, "cn_plant", date(2025, 4, 5)).height == 0  # Saturday after Qingming (Fri 4 April)
    assert day(intervals, "cn_plant", date(2025, 6, 14)).height == 1  # an ordinary Saturday morning
