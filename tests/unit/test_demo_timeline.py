"""kiosk/demo/timeline.py: the anchor maps to itself, and no authored past day lands after today."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.demo.timeline import ANCHOR, Timeline, quarter_end, with_year

AWKWARD = [dt.date(2027, 1, 1), dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2028, 11, 21), dt.date(2025, 11, 21)]
PAST = [ANCHOR - dt.timedelta(days=n) for n in range(0, 3 * 366, 7)]


def test_on_the_anchor_every_mapping_is_the_identity() -> None:
    timeline = Timeline(ANCHOR)
    for day in PAST:
        assert timeline.aged(day) == timeline.in_year(day) == day
    assert timeline.quarter(2025, 4) == (2025, 4) and timeline.quarter(2026, 3) == (2026, 3)
    assert timeline.yesterday == dt.date(2026, 11, 20)


@pytest.mark.parametrize("today", AWKWARD, ids=str)
def test_past_days_stay_in_the_past_and_in_order(today: dt.date) -> None:
    timeline = Timeline(today)
    moved = [timeline.in_year(day) for day in sorted(PAST)]
    assert moved == sorted(moved) and moved[-1] == today
    assert all(timeline.aged(day) <= today for day in PAST)
    # The anchor's year becomes today's year; earlier years keep their month and day.
    assert timeline.in_year(dt.date(2026, 1, 1)) == dt.date(today.year, 1, 1)
    assert timeline.in_year(dt.date(2025, 12, 22)) == dt.date(today.year - 1, 12, 22)


@pytest.mark.parametrize("today", AWKWARD, ids=str)
def test_the_boards_quarters_are_the_four_before_todays(today: dt.date) -> None:
    timeline = Timeline(today)
    quarters = [timeline.quarter(year, quarter) for year, quarter in ((2025, 4), (2026, 1), (2026, 2), (2026, 3))]
    last = quarters[-1]
    assert quarter_end(*last) < today <= quarter_end(*last) + dt.timedelta(days=92)
    assert all(quarter_end(*q) < today for q in quarters)
    assert len(set(quarters)) == 4


def test_an_expired_notice_keeps_its_calendar_day_in_the_latest_year_it_had_expired() -> None:
    tz = dt.timezone(dt.timedelta(hours=8))
    publish, expire = dt.datetime(2026, 9, 26, 9, tzinfo=tz), dt.datetime(2026, 10, 8, 18, tzinfo=tz)
    assert Timeline(dt.date(2027, 10, 9)).last_expired(publish, expire)[1].date() == dt.date(2027, 10, 8)
    assert Timeline(dt.date(2027, 10, 8)).last_expired(publish, expire)[1].date() == dt.date(2026, 10, 8)
    assert Timeline(dt.date(2025, 11, 21)).last_expired(publish, expire)[0] == dt.datetime(2025, 9, 26, 9, tzinfo=tz)


def test_29_february_moves_to_the_28th_in_a_common_year() -> None:
    assert with_year(dt.date(2024, 2, 29), 2027) == dt.date(2027, 2, 28)
    assert with_year(dt.date(2024, 2, 29), 2028) == dt.date(2028, 2, 29)
    assert Timeline(dt.date(2027, 11, 21)).in_year(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
