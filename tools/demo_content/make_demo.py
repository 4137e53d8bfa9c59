"""Write the kiosk's demo content (溪源县) for a day: ``resources/demo/records`` or any folder.

Why: the demo county is generated, not hand-kept, so that it can be current on whatever day it is
shown (see ``kiosk/demo/timeline.py``). The generator itself lives in ``kiosk/demo/county.py``
because the terminal runs it when ``kiosk run --demo`` loads the demo and ``make run`` publishes
it; this script is the authoring front end: it also draws the attachments (with Qt, which the
terminal's core must not import) when a folder has none yet.

How: ``--today`` (default: the anchor, 2026-11-21) is the day the county is written for; the same
day always gives byte-identical files, and the anchor gives the checked-in
``resources/demo/records`` (tests use those, at that fixed day). A fresh ``--out`` folder first gets
the checked-in attachments (``blobs/``): PDFium writes a random /ID into every PDF, so drawing them
again would change their sha256 and the records that cite them. Every record is validated and the
invariants are checked before anything is written; the count per kind is printed. Run from
anywhere::

    python tools/demo_content/make_demo.py [--today YYYY-MM-DD] [--out resources/demo/records]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kiosk.demo import county  # noqa: E402
from kiosk.demo.timeline import ANCHOR  # noqa: E402
from tools.demo_content import attachments  # noqa: E402

CHECKED_IN = REPO / "resources" / "demo" / "records"


def seed_blobs(out: Path, source: Path = CHECKED_IN) -> None:
    """Give ``out`` the checked-in attachments when it has none, so they are reused, not redrawn."""
    if out.resolve() == source.resolve() or (out / "blobs" / county.MANIFEST).exists():
        return
    if (source / "blobs" / county.MANIFEST).exists():
        shutil.copytree(source / "blobs", out / "blobs", dirs_exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Build, check and write the demo records; print the count per kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CHECKED_IN)
    parser.add_argument("--today", type=date.fromisoformat, default=ANCHOR, help=f"the day to write the county for (default {ANCHOR})")
    parser.add_argument("--no-check", action="store_true", help="skip schema validation and invariant checks")
    args = parser.parse_args(argv)
    records = county.build(args.today)
    args.out.mkdir(parents=True, exist_ok=True)
    seed_blobs(args.out)
    attachments.attach(records["document"], args.out)
    if not args.no_check:
        errors = county.check(records, args.today)
        if errors:
            for e in errors[:50]:
                print(e, file=sys.stderr)
            print(f"{len(errors)} errors; nothing written", file=sys.stderr)
            return 1
    stats = county.write(records, args.out)
    total = 0
    for kind, (count, size) in stats.items():
        print(f"{kind:18} {count:6d} records {size / 1024:9.1f} KiB")
        total += size
    print(f"{'total':18} {sum(c for c, _ in stats.values()):6d} records {total / 1024:9.1f} KiB -> {args.out} (for {args.today})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
