"""``python -m kiosk.demo source FOLDER --data-dir DIR``: the demo source ``make run`` publishes, for today.

Why a module and not a ``kiosk`` subcommand: only ``scripts/demo-portal.sh`` needs it, and it is
not something staff do on a terminal. "Today" is the demo terminal's (``--data-dir``): its clock
(``KIOSK_NOW`` if set) in its ``terminal.timezone``, so the feed it syncs matches what
``kiosk run --demo`` would load on that terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.demo.source import local_day, refresh_source
from kiosk.terminal import DEMO_RECORDS, Terminal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.demo", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    source = commands.add_parser("source", help="write FOLDER as the demo county for today, unless it was edited by hand")
    source.add_argument("folder", type=Path)
    source.add_argument("--data-dir", type=Path, required=True, help="the demo terminal whose clock and time zone say what today is")
    args = parser.parse_args(argv)
    with Terminal(args.data_dir) as terminal:
        day = local_day(terminal.clock(), terminal.settings["terminal.timezone"])
    print(refresh_source(args.folder, day, DEMO_RECORDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
