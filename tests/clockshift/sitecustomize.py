"""Loaded only by ``scripts/test-clock.sh`` (through PYTHONPATH) when the suite runs under libfaketime.

Why: with ``FAKETIME_DONT_FAKE_MONOTONIC=1`` (needed, or every ``Event.wait(timeout)`` waits a shifted
year: CPython computes an absolute deadline on the faked monotonic clock and the kernel waits for the
real one), libfaketime 0.9.10 answers CPython's ``time.sleep`` (``clock_nanosleep`` with
``TIMER_ABSTIME``) with EINVAL. ``select`` with a relative timeout is not affected, so ``time.sleep`` is
replaced by it, in every Python process the tests start. Nothing else changes; outside libfaketime
this file does nothing.
"""

from __future__ import annotations

import os
import select
import time

if "faketime" in os.environ.get("LD_PRELOAD", ""):
    _monotonic = time.monotonic

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = _monotonic() + seconds
        while (left := deadline - _monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep
