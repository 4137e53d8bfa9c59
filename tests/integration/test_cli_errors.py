"""`kiosk` catches its own errors once (app/main.py): real processes, real data folders, the documented exit codes.

A database from a newer app (the content store, the outbox, the usage log) exits 3 and says what to do;
enrolment against a portal that is not there exits 5; neither prints a traceback.
"""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest

from kiosk.credentials import Credentials, save_credentials
from kiosk.outbox import Outbox
from kiosk.terminal import DEMO_RECORDS
from kiosk.usage import UsageLog
from tests.integration.test_cli import kiosk


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli-errors") / "terminal"
    kiosk("import", str(DEMO_RECORDS), data=data)
    return data


def _from_a_newer_app(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (99, 'a newer app')")
    db.close()


def _first_document(data: Path) -> str:
    with sqlite3.connect(data / "content.sqlite") as db:
        (record_id,) = db.execute("SELECT record_id FROM record WHERE kind = 'document' AND deleted = 0 ORDER BY record_id").fetchone()
    db.close()
    return record_id


def test_a_content_store_from_a_newer_app_exits_3_with_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "terminal"
    kiosk("info", "--json", data=data, check=False)  # creates the store
    _from_a_newer_app(data / "content.sqlite")
    result = kiosk("info", data=data, check=False)
    assert result.returncode == 3, result.stderr
    assert "content database" in result.stderr and "newer than this app knows" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_usage_log_from_a_newer_app_refuses_the_print_before_it_is_printed(demo_dir: Path) -> None:
    usage = demo_dir / "usage.sqlite"
    UsageLog(usage).close()
    _from_a_newer_app(usage)
    printed = demo_dir / "printed"
    before = sorted(printed.iterdir()) if printed.exists() else []
    result = kiosk("print", _first_document(demo_dir), data=demo_dir, check=False)
    assert result.returncode == 3, result.stderr
    assert "usage database" in result.stderr and "install the newer app" in result.stderr and "Traceback" not in result.stderr
    assert (sorted(printed.iterdir()) if printed.exists() else []) == before  # nothing printed uncounted
    usage.unlink()


def test_an_outbox_from_a_newer_app_stops_kiosk_sync_with_exit_3_and_is_left_as_it_was(tmp_path: Path) -> None:
    data = tmp_path / "terminal"
    port = _closed_port()
    save_credentials(data, Credentials("t-1", "token", f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/feed/", "", "990121101201", "t"))
    outbox = data / "outbox.sqlite"
    with Outbox(outbox) as box:
        box.rate("doc-1", 5)
    _from_a_newer_app(outbox)
    before = outbox.read_bytes()
    result = kiosk("sync", "--once", data=data, check=False)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "outbox database" in result.stderr and "do not delete outbox.sqlite" in result.stderr and "Traceback" not in result.stderr
    assert outbox.read_bytes() == before


def _closed_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_enrolling_at_a_portal_that_is_not_there_exits_5(tmp_path: Path) -> None:
    port = _closed_port()
    result = kiosk("enroll", "--portal", f"http://127.0.0.1:{port}", "--code", "K7QM-3XHP", data=tmp_path / "terminal", check=False)
    assert result.returncode == 5, result.stderr
    assert result.stderr.strip() and "Traceback" not in result.stderr
