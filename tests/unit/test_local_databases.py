"""outbox.sqlite and usage.sqlite carry schema versions, migrated like the content store.

The files in tests/unit/data/ were written by the unversioned kiosk/outbox.py and kiosk/usage.py (the code
before versions; tests/unit/data/make_unversioned.py says how). Each must open as version 1 with every row
kept and a backup taken first; a file from a newer app is refused with what to do, untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from kiosk.clock import fixed_clock
from kiosk.outbox import Outbox
from kiosk.store import migrate as migrate_module
from kiosk.store.migrate import CONTENT, OUTBOX, USAGE, MigrationError, Schema, available_migrations, current_version
from kiosk.usage import UsageLog
from tests.helpers.clock import TEST_NOW
from tests.helpers.paths import ROOT

DATA = Path(__file__).parent / "data"


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table but schema_version, read with plain sqlite3."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_version' "
                                                  "ORDER BY name")]
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}


def schema_sql(path: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT type, name, sql FROM sqlite_master WHERE name != 'schema_version' ORDER BY name").fetchall()


def unversioned(tmp_path: Path, name: str) -> Path:
    data = tmp_path / "terminal"
    data.mkdir()
    target = data / name.replace("-unversioned", "")
    shutil.copyfile(DATA / name, target)
    return target


def test_an_unversioned_outbox_becomes_version_1_keeping_every_row(tmp_path: Path) -> None:
    path = unversioned(tmp_path, "outbox-unversioned.sqlite")
    before, shape = dump(path), schema_sql(path)
    assert len(before["outbox"]) == 9 and len(before["rating"]) == 2  # pending, delivered, rejected, retrying; two ratings
    with Outbox(path, clock=fixed_clock(TEST_NOW)) as outbox:
        assert current_version(outbox._db) == 1
        assert outbox.backlog() == {"pending": 7, "delivered": 1, "rejected": 1}
        assert [item.kind for item in outbox.due(TEST_NOW)] == ["rating", "rating", "request", "usage", "alert", "heartbeat", "rating"]
    assert dump(path) == before and schema_sql(path) == shape  # nothing reshaped, nothing lost
    backups = sorted((path.parent / "backups").glob("outbox-v0-*.sqlite"))
    assert [b.name for b in backups] == ["outbox-v0-20261121-023200Z.sqlite"]  # named on the terminal's clock, in UTC
    assert dump(backups[0]) == before
    with Outbox(path) as outbox:  # opened again: nothing to do, no second backup
        outbox.rate("doc-1", 4)
    assert len(list((path.parent / "backups").iterdir())) == 1
    assert len(dump(path)["outbox"]) == 10


def test_an_unversioned_usage_log_becomes_the_latest_version_keeping_every_row(tmp_path: Path) -> None:
    path = unversioned(tmp_path, "usage-unversioned.sqlite")
    before = dump(path)
    log = UsageLog(path)
    try:
        assert current_version(log._db) == len(available_migrations(USAGE)) == 2  # 1 records the old table, 2 adds zero_result
        assert log.pages_printed_on(dt.date(2026, 11, 20)) == 4  # 3 + 1 printed; refused and failed do not count
    finally:
        log.close()
    assert dump(path) == {**before, "zero_result": []}
    (backup,) = (path.parent / "backups").glob("usage-v0-*.sqlite")
    assert dump(backup) == before


def test_a_new_file_starts_at_the_latest_version_without_a_backup(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        assert current_version(outbox._db) == len(available_migrations(OUTBOX)) == 1
    UsageLog(tmp_path / "usage.sqlite").close()
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize(("name", "opener", "advice", "known"), [
    ("outbox.sqlite", lambda path: Outbox(path), "do not delete outbox.sqlite", 1),
    ("usage.sqlite", lambda path: UsageLog(path), "install the newer app", 2),
])
def test_a_file_from_a_newer_app_is_refused_and_left_as_it_was(tmp_path: Path, name: str, opener, advice: str, known: int) -> None:
    path = tmp_path / name
    opener(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (7, 'from a newer app')")
    before = path.read_bytes()
    with pytest.raises(MigrationError, match=f"{name}\\) has schema version 7, newer than this app knows \\({known}\\); .*{advice}"):
        opener(path)
    assert path.read_bytes() == before


def test_the_next_outbox_migration_is_backed_up_first_and_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a future mNNNN will do: the file at v1 is copied, then migrated in one transaction."""
    path = tmp_path / "outbox.sqlite"
    with Outbox(path) as outbox:
        outbox.rate("doc-1", 5)
    real = available_migrations(OUTBOX)
    extra = types.SimpleNamespace(VERSION=2, up=lambda db: db.execute("ALTER TABLE rating ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh_CN'"))
    monkeypatch.setattr(migrate_module, "available_migrations", lambda schema=CONTENT: [*real, extra] if schema is OUTBOX else [])
    with Outbox(path) as outbox:
        assert current_version(outbox._db) == 2 and outbox.ratings()[0][:2] == ("doc-1", 5)
    (backup,) = (tmp_path / "backups").glob("outbox-v1-*.sqlite")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT record_id FROM rating").fetchall() == [("doc-1",)]
        assert copy.execute("SELECT MAX(version) FROM schema_version").fetchone() == (1,)


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "outbox.sqlite"
    with Outbox(path) as outbox:
        outbox.rate("doc-1", 5)
    before = dump(path)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM rating")
        raise sqlite3.OperationalError("no such column: lang")

    real = available_migrations(OUTBOX)
    monkeypatch.setattr(migrate_module, "available_migrations",
                        lambda schema=CONTENT: [*real, types.SimpleNamespace(VERSION=2, up=broken)] if schema is OUTBOX else [])
    with pytest.raises(sqlite3.OperationalError):
        Outbox(path)
    monkeypatch.undo()
    assert dump(path) == before
    with Outbox(path) as outbox:
        assert current_version(outbox._db) == 1


def test_migrations_are_numbered_without_gaps_for_every_database(tmp_path: Path) -> None:
    for schema in (CONTENT, OUTBOX, USAGE):
        versions = [module.VERSION for module in available_migrations(schema)]
        assert versions == list(range(1, len(versions) + 1)) and versions, schema.name
    package = tmp_path / "gappy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for number in (1, 3):
        (package / f"m000{number}_x.py").write_text(f"VERSION = {number}\n\ndef up(db):\n    pass\n")
    sys.path.insert(0, str(tmp_path))
    try:
        import gappy

        with pytest.raises(MigrationError, match=r"expected numbers 1..n without gaps \(found \[1, 3\]\)"):
            available_migrations(Schema("gappy", gappy, ""))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("gappy", None)


def test_two_processes_opening_an_unversioned_outbox_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = unversioned(tmp_path, "outbox-unversioned.sqlite")
    before = dump(path)
    opener = textwrap.dedent(f"""
        from pathlib import Path
        from kiosk.outbox import Outbox
        Outbox(Path({str(path)!r})).close()
    """)
    processes = [subprocess.Popen([sys.executable, "-c", opener], cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    assert dump(path) == before
