"""Moving the demo county's calendar from the day it was written for to the day it is generated for.

Why: the demo is authored for one day, :data:`ANCHOR` (2026-11-21): the text banks say a notice
was published on 10 November and expires on 30 April, the 耕地地力保护补贴 plan was written on
6 March 2026 and paid out on 18 June, the last finance board is the third quarter's. Shown as they
are in 2027, the notices have expired, there are no payments for "this year" and no board for last
quarter. So every date the generator writes passes through a :class:`Timeline` for the day it
generates for (``today``); with ``today == ANCHOR`` every mapping is the identity, which is how the
checked-in ``resources/demo/records`` are reproduced byte for byte.

One shift cannot serve every kind of content, so there are four, each chosen for what a visitor
must see on any day:

- :meth:`Timeline.aged` keeps a date's distance from today (``d + (today - ANCHOR)``). Ordinary
  documents, guides, catalogue items, regions and current notices: a document nine days old on
  the anchor is nine days old today, so the newest list looks like a working county's on any day.
  The years follow from the moved dates (a document's 发文字号, id and the years in its text are
  computed from its moved 成文日期).
- :meth:`Timeline.in_year` keeps a date's place in its calendar year: an earlier year moves by
  whole years (month and day kept), the anchor's own year is squeezed (or stretched) in proportion
  into 1 January … today of today's year. Subsidy policies, the documents they cite and the payment
  lists use it, so there are "this year's" payments on any day — on 1 January they are all paid
  that day, which is the price of that promise — and a payment's period follows its moved date.
- :meth:`Timeline.quarter` maps the boards' quarters: the four quarters before the anchor's
  quarter become the four before today's, and a ledger line keeps its day within the quarter.
- :meth:`Timeline.last_expired` keeps an expired notice on its calendar date (国庆节 in October,
  a flood warning in June) in the latest year in which it had expired before today.

Nothing the generator writes lies after ``today``, except what is meant to lie ahead: a notice's
expiry and a document's 施行日期.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ANCHOR = dt.date(2026, 11, 21)
"""The day the demo county's text banks are written for (``resources/demo/records`` is this day)."""


def with_year(day: dt.date, year: int) -> dt.date:
    """``day`` in ``year``; 29 February becomes the 28th in a common year."""
    if day.month == 2 and day.day == 29 and not _leap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def quarter_of(day: dt.date) -> tuple[int, int]:
    """``(year, quarter)`` of ``day``."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    return quarter_start(year + quarter // 4, quarter % 4 + 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Timeline:
    """The anchor's calendar moved to ``today``. Pure and deterministic: a function of the two days."""

    today: dt.date
    anchor: dt.date = ANCHOR

    @property
    def yesterday(self) -> dt.date:
        """The last day anything is published or paid on, unless :meth:`in_year` squeezed it onto today."""
        return self.today - dt.timedelta(days=1)

    @property
    def years(self) -> int:
        """Whole years between the anchor's year and today's."""
        return self.today.year - self.anchor.year

    def year(self, year: int) -> int:
        """An authored year (2026 is "this year") as a year of today's calendar."""
        return year + self.years

    def aged(self, day: dt.date) -> dt.date:
        """``day`` at the same distance from today as it was from the anchor."""
        return day + (self.today - self.anchor)

    def in_year(self, day: dt.date) -> dt.date:
        """``day`` at the same place in its calendar year; the anchor's year fills 1 January … today.

        A day after the anchor keeps its distance from today instead (it is meant to lie ahead).
        """
        if day > self.anchor:
            return self.aged(day)
        if day.year < self.anchor.year:
            return with_year(day, self.year(day.year))
        start, new_start = dt.date(self.anchor.year, 1, 1), dt.date(self.today.year, 1, 1)
        span_days, new_span_days = (self.anchor - start).days, (self.today - new_start).days
        return new_start + dt.timedelta(days=(day - start).days * new_span_days // span_days)

    def last_in_year(self, day: dt.date) -> dt.date:
        """The last day something dated by :meth:`in_year` in ``day``'s year may carry: yesterday, at
        most the year's last day, and never before 1 January of that year (1 January itself when
        today is 1 January)."""
        return max(dt.date(day.year, 1, 1), min(self.yesterday, dt.date(day.year, 12, 31)))

    def quarter(self, year: int, quarter: int) -> tuple[int, int]:
        """An authored quarter as the quarter at the same distance before (or after) today's."""
        anchor_year, anchor_quarter = quarter_of(self.anchor)
        offset = (year * 4 + quarter - 1) - (anchor_year * 4 + anchor_quarter - 1)
        today_year, today_quarter = quarter_of(self.today)
        index = today_year * 4 + today_quarter - 1 + offset
        return index // 4, index % 4 + 1

    def in_quarter(self, day: dt.date) -> dt.date:
        """``day`` at the same day of its moved quarter (the last day if the quarter is shorter)."""
        year, quarter = quarter_of(day)
        new_year, new_quarter = self.quarter(year, quarter)
        start, end = quarter_start(new_year, new_quarter), quarter_end(new_year, new_quarter)
        return min(start + (day - quarter_start(year, quarter)), end)

    def last_expired(self, publish: dt.datetime, expire: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """An expired notice moved by whole years to the latest year in which it expired before today."""
        shift = self.today.year - expire.year  # the expiry in today's year …
        if _years_later(expire, shift).date() >= self.today:
            shift -= 1  # … or, if that has not passed yet, in the year before
        return _years_later(publish, shift), _years_later(expire, shift)

    def aged_instant(self, moment: dt.datetime) -> dt.datetime:
        """:meth:`aged` for a timestamp: the same time of day, the date moved."""
        return moment + (self.today - self.anchor)


def _years_later(moment: dt.datetime, years: int) -> dt.datetime:
    day = with_year(moment.date(), moment.year + years)
    return moment.replace(year=day.year, month=day.month, day=day.day)
