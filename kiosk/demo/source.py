"""Where the demo county comes from at run time: generated for the terminal's today.

Why: ``kiosk run --demo`` and ``make run`` must show a county that is current on the day they
load it (an urgent notice that has not expired, this year's payments, last quarter's boards), in
the terminal's own time zone (``terminal.timezone``; the OS zone is often UTC on a fresh machine)
and by the terminal's clock (``Terminal.clock``, which ``KIOSK_NOW`` sets), never the machine's
``datetime.now()``.

- :func:`demo_records_for` gives ``Terminal.ensure_demo_content`` a folder to import: the checked-in
  ``resources/demo/records`` on the anchor day (they are that day's output, byte for byte), otherwise
  a temporary folder written by :mod:`kiosk.demo.county` with the checked-in attachments beside it.
- :func:`refresh_source` keeps ``make run``'s editable demo source (``.data/demo-source``, which it
  publishes as a feed) current: a folder written for an earlier day is written again for today,
  unless someone has edited it since — then it is theirs, and it is kept.

Generating takes about half a second, so it is done when needed and never cached across days.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.demo import county
from kiosk.demo.timeline import ANCHOR

#: In a demo source folder: the day it was written for and the sha256 of each record file then.
MARKER = ".demo-day"


def local_day(moment: dt.datetime, zone: str) -> dt.date:
    """The calendar day ``moment`` falls on in the time zone ``zone`` (e.g. ``Asia/Shanghai``)."""
    return moment.astimezone(ZoneInfo(zone)).date()


def write_county(folder: Path, day: dt.date, checked_in: Path) -> None:
    """Write the demo county for ``day`` into ``folder``, with the checked-in attachments in ``blobs/``."""
    records = county.build(day)
    county.attach(records["document"], county.read_manifest(checked_in))
    shutil.copytree(checked_in / "blobs", folder / "blobs", dirs_exist_ok=True)
    county.write(records, folder)


@contextmanager
def demo_records_for(day: dt.date, checked_in: Path) -> Iterator[Path]:
    """A folder holding the demo county for ``day``, for as long as the ``with`` block runs."""
    if day == ANCHOR:
        yield checked_in
        return
    with tempfile.TemporaryDirectory(prefix=f"kiosk-demo-{day.isoformat()}-") as temporary:
        folder = Path(temporary)
        write_county(folder, day, checked_in)
        yield folder


def _marker(folder: Path) -> dict[str, object] | None:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def refresh_source(folder: Path, day: dt.date, checked_in: Path) -> str:
    """Make ``folder`` the demo county for ``day`` unless it holds someone's edits; returns what was done.

    The marker file records the day and each record file's sha256 as written. A folder without one
    (made by an older ``make run``, which copied ``resources/demo/records``) counts as unedited while
    its files equal the checked-in ones, which are the anchor day's.
    """
    written_for: str | None = None
    if folder.exists():
        marker = _marker(folder)
        if marker is not None:
            written_for, files = str(marker.get("day")), marker.get("files")
        elif county.fingerprint(folder) == county.fingerprint(checked_in):
            written_for, files = ANCHOR.isoformat(), county.fingerprint(checked_in)
        else:
            written_for, files = None, None
        if written_for == day.isoformat():
            return f"demo content source: {folder} (the demo county for {day}; you may edit it)"
        if files != county.fingerprint(folder):
            since = f"written for {written_for}, " if written_for else ""
            return (f"demo content source: {folder} was edited by hand ({since}not rewritten for {day}); it is kept as it is. "
                    f"Delete the folder to get the demo county for today.")
    folder.mkdir(parents=True, exist_ok=True)
    write_county(folder, day, checked_in)
    (folder / MARKER).write_text(json.dumps({"day": day.isoformat(), "files": county.fingerprint(folder)}, indent=1) + "\n", encoding="utf-8")
    if written_for:
        return f"demo content source: {folder} rewritten for {day} (it was for {written_for}; you may edit it)"
    return f"demo content source: {folder} (the demo county for {day}; you may edit it)"
