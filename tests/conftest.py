"""The root of the tests: the Qt platform, and the helpers in tests/helpers/ loaded as plugins.

Fixtures live in tests/helpers/fixtures.py (``terminal``, ``demo_terminal``) and tests/helpers/qt.py
(``kiosk_window``); records, instants and paths in tests/helpers/records.py, clock.py and paths.py.
The names below are re-exported so tests written against ``from tests.conftest import …`` keep
working while they move to ``tests.helpers``; new tests import from there.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from tests.helpers.clock import TEST_ENV, TEST_NOW
from tests.helpers.paths import ROOT
from tests.helpers.records import BASE, COUNTY, OTHER_VILLAGE, REGION_FOR, STAMP, VILLAGE, make

pytest_plugins = ["tests.helpers.fixtures", "tests.helpers.qt"]

__all__ = ["BASE", "COUNTY", "OTHER_VILLAGE", "REGION_FOR", "ROOT", "STAMP", "TEST_ENV", "TEST_NOW", "VILLAGE", "make"]
