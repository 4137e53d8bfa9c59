"""How outbox-unversioned.sqlite and usage-unversioned.sqlite were made (kept to say so; tests do not run it).

They are real files written by the code that had no schema versions: kiosk/outbox.py and kiosk/usage.py as
of commit b88c797, loaded from git history, with rows of every state (pending, delivered, rejected,
retrying), a sealed request, ratings and print-log lines. tests/unit/test_local_databases.py opens copies
with today's code. Run from the repository root: .venv/bin/python tests/unit/data/make_unversioned.py
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from nacl.public import PrivateKey

UNVERSIONED = "b88c797"
HERE = Path(__file__).resolve().parent


def old_module(name: str, path: str, folder: Path) -> ModuleType:
    source = folder / f"{name}.py"
    source.write_text(subprocess.run(["git", "show", f"{UNVERSIONED}:{path}"], capture_output=True, text=True, check=True).stdout)
    spec = importlib.util.spec_from_file_location(name, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    sys.path.insert(0, str(HERE.parent.parent.parent))
    with tempfile.TemporaryDirectory() as folder:
        old_outbox = old_module("old_outbox", "kiosk/outbox.py", Path(folder))
        old_usage = old_module("old_usage", "kiosk/usage.py", Path(folder))
        for name in ("outbox-unversioned.sqlite", "usage-unversioned.sqlite"):
            (HERE / name).unlink(missing_ok=True)
        now = dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        key = base64.b64encode(bytes(PrivateKey(bytes(range(32))).public_key)).decode()
        box = old_outbox.Outbox(HERE / "outbox-unversioned.sqlite", portal_public_key=key, clock=lambda: now)
        box.rate("doc-xiyuan-2026-001", 5)
        box.rate("pol-gengdi-2026", 3)
        box.add("request", {"item": "cat-3"}, personal={"name": "王𬌗明", "phone": "13912345678"})
        box.add("usage", {"day": "2026-11-19", "pages_printed": 12}, key="usage-demo-terminal-01-2026-11-19")
        box.add("alert", {"what": "printer", "reasons": ["media-empty"]}, key="alert-demo-terminal-01-2026-11-20-0123456789ab")
        box.queue_heartbeat({"terminal_id": "demo-terminal-01", "generations": {"990121000000": 7}})
        delivered = box.add("usage", {"day": "2026-11-18", "pages_printed": 3}, key="usage-demo-terminal-01-2026-11-18")
        box.mark_delivered(delivered.id, now=now + dt.timedelta(minutes=1))
        rejected = box.add("alert", {"what": "bad"}, key="alert-bad")
        box.mark_rejected(rejected.id, "HTTP 400: field 'payload.what' …")
        retry = box.add("rating", {"record_id": "x", "score": 4}, key="rating-retry")
        box.mark_retry(retry.id, "connection refused", now + dt.timedelta(minutes=5))
        box.close()
        log = old_usage.UsageLog(HERE / "usage-unversioned.sqlite")
        for number, (layout, pages, outcome) in enumerate([("a4", 3, "printed"), ("receipt", 1, "printed"), ("a4", 30, "refused"),
                                                           ("a4", 2, "failed")]):
            log.record_print(now + dt.timedelta(minutes=number), f"doc-{number}", layout, pages, outcome)
        log.close()


if __name__ == "__main__":
    main()
