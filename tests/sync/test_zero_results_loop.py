"""Issue 14, item 3, end to end: `kiosk search` finds nothing → the next day's `kiosk sync` → `kiosk-portal zero-results`.

Real processes throughout: the kiosk CLI on a real store, `kiosk-portal serve` on 127.0.0.1, the staff CLI
on the portal's database. The terminal's days come from KIOSK_NOW, never from the machine's clock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.clock import fixed_clock
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.helpers.paths import ROOT
from tests.helpers.records import make
from tests.sync.portal_support import PortalDirs, PortalProcess, free_port, run_portal_cli

KIOSK = [sys.executable, "-m", "app.main"]


def kiosk(now: dt.datetime, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KIOSK_NOW": now.isoformat()})


def test_what_people_did_not_find_reaches_the_county(tmp_path: Path) -> None:
    dirs = PortalDirs(tmp_path / "portal").prepare()
    portal = PortalProcess(dirs, free_port(), tmp_path / "portal.log")
    portal.start()
    try:
        data = tmp_path / "terminal"
        enrolled = kiosk(TEST_NOW, "enroll", "--portal", portal.url, "--code", dirs.code(), "--data-dir", str(data))
        assert enrolled.returncode == 0, enrolled.stderr
        with Terminal(data, fixed_clock(TEST_NOW)) as terminal:
            terminal.store.apply([make("notice", "n1"), make("subsidy_payment", "p1", recipient="赵大刚")])

        for query in ("临时救助", "临时救助", "赵大刚", "430521198001011234", "森林防火"):
            searched = kiosk(TEST_NOW, "search", query, "--json", "--data-dir", str(data))
            assert searched.returncode == 0, searched.stderr
            assert (json.loads(searched.stdout) == []) == (query != "森林防火"), query

        same_day = kiosk(TEST_NOW, "sync", "--once", "--json", "--data-dir", str(data))  # the day is not over: nothing sent yet
        assert json.loads(same_day.stdout)["delivery"] is not None, same_day.stdout + same_day.stderr
        assert json.loads(run_portal_cli(dirs, "zero-results", "--json")) == []

        next_day = kiosk(TEST_NOW + dt.timedelta(days=1), "sync", "--once", "--json", "--data-dir", str(data))
        delivery = json.loads(next_day.stdout)["delivery"]
        assert delivery is not None and not delivery["auth_failed"] and not delivery["retrying"], next_day.stdout + next_day.stderr

        listed = json.loads(run_portal_cli(dirs, "zero-results", "--json"))
        assert listed == [{"query": "临时救助", "searches": 2, "terminals": 1}]
        assert json.loads(run_portal_cli(dirs, "zero-results", "--json", "--region", "990121000000")) == listed
        assert json.loads(run_portal_cli(dirs, "zero-results", "--json", "--region", "990122000000")) == []
        table = run_portal_cli(dirs, "zero-results")
        assert "临时救助" in table and "赵大刚" not in table and "430521" not in table
        usage = run_portal_cli(dirs, "inbox", "--kind", "usage", "--json")
        assert "赵大刚" not in usage and "430521" not in usage and "2026-11-21" in usage
    finally:
        portal.kill()
