"""The instant tests run at: no test reads the machine's clock (issue 11); ``make test`` proves it under faketime."""

from __future__ import annotations

import datetime as dt

#: The instant every test runs at unless it sets its own: the demo county's anchor day, 10:32 in 溪源县.
TEST_NOW = dt.datetime(2026, 11, 21, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=8)))
#: The same instant for ``kiosk`` processes a test starts (kiosk/clock.py reads KIOSK_NOW).
TEST_ENV = {"KIOSK_NOW": TEST_NOW.isoformat()}
