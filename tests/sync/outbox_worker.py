"""A terminal in miniature for the kill test: adds numbered submissions and delivers them, forever.

    python tests/sync/outbox_worker.py DATA_DIR --total 1000

Each run first reads which numbers are already in the outbox — an add is one transaction, so after
a SIGKILL a number is either there or not — then adds the missing ones a few at a time, running the
sender between batches. It never exits by itself; the test kills it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.credentials import load_credentials  # noqa: E402
from kiosk.outbox import Outbox  # noqa: E402
from sync.sender import deliver  # noqa: E402
from sync.transport import KioskSession, Timeouts  # noqa: E402


def number_of(body: str) -> int:
    data = json.loads(body)
    payload = data["payload"]
    return int(payload["record_id"].split("-")[1]) if data["kind"] == "rating" else int(payload["n"])


def add_one(outbox: Outbox, n: int) -> None:
    """Three shapes of submission: a rating (action + row), a sealed request, a plain alert."""
    if n % 3 == 0:
        outbox.rate(f"n-{n}", 1 + n % 5)
    elif n % 3 == 1:
        outbox.add("request", {"n": n, "item": f"cat-{n % 17}"}, personal={"n": n, "name": f"申请人{n}", "phone": f"138{n:08d}"})
    else:
        outbox.add("alert", {"n": n, "what": "paper low"})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--total", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=25)
    args = parser.parse_args()
    creds = load_credentials(args.data_dir)
    assert creds is not None, "enrol first"
    outbox = Outbox(args.data_dir / "outbox.sqlite", portal_public_key=creds.portal_public_key)
    present = {number_of(item.body) for item in outbox.items()}
    missing = [n for n in range(args.total) if n not in present]
    random.shuffle(missing)  # people submit in no particular order
    session = KioskSession(timeouts=Timeouts(connect=0.5, read=2.0))
    while True:
        for n in missing[: args.batch]:
            add_one(outbox, n)
        missing = missing[args.batch:]
        report = deliver(outbox, session, creds, limit=100, deadline_s=3, backoff_base_s=0.05, backoff_cap_s=0.4)
        if report.auth_failed:
            print("auth failed", report.errors, file=sys.stderr, flush=True)
        if report.duplicates or report.retrying:
            print(f"report sent={report.sent} dup={report.duplicates} retry={report.retrying}", flush=True)
        if not missing and not report.delivered:
            time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
