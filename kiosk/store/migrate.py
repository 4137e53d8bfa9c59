"""Bring a local database to the newest schema, backing it up first when it already holds data.

Three SQLite files live in a terminal's data folder, each with its own numbered migrations:
``content.sqlite`` (:data:`CONTENT`, ``kiosk/migrations/mNNNN_*.py``), ``outbox.sqlite``
(:data:`OUTBOX`, ``kiosk/migrations/outbox/``) and ``usage.sqlite`` (:data:`USAGE`,
``kiosk/migrations/usage/``). The rules are the same for all three:

- migrations are numbered 1..n without gaps (checked), and one that has shipped is never edited;
- the version is the table ``schema_version``; a file with tables but no versions (an outbox or
  usage log made before they had versions) is version 0 with data, and is backed up like any other;
- before anything is changed, a consistent copy goes to ``<data-dir>/backups/`` through SQLite's
  backup API (safe while other connections read and write);
- each migration runs in its own ``BEGIN IMMEDIATE`` transaction, with the version re-read inside it,
  so two processes opening the same file at once migrate it once;
- a file from a newer app is refused with what to do, never opened half-understood.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from peewee import SqliteDatabase

import kiosk.migrations
import kiosk.migrations.outbox
import kiosk.migrations.usage
from kiosk.clock import Clock, system_clock
from kiosk.errors import ExitCode, KioskError

Database = SqliteDatabase | sqlite3.Connection


class MigrationError(KioskError, RuntimeError):
    """The database cannot be brought to this app's schema."""

    exit_code = ExitCode.STORE


@dataclass(frozen=True)
class Schema:
    """One kind of local database: its name (in messages and backup names) and its migrations."""

    name: str
    package: ModuleType
    #: What staff should do with a file written by a newer version of the app.
    if_newer: str


CONTENT = Schema("content", kiosk.migrations, "install the newer app, or remove the data folder to start again (content comes back with a sync)")
OUTBOX = Schema("outbox", kiosk.migrations.outbox,
                "install the newer app; do not delete outbox.sqlite: it holds what people submitted that the portal has not received yet")
USAGE = Schema("usage", kiosk.migrations.usage, "install the newer app; usage.sqlite holds the print counts behind the daily page limit")


def available_migrations(schema: Schema = CONTENT) -> list[ModuleType]:
    """The schema's migration modules in order; raise :class:`MigrationError` on a gap or a repeat."""
    modules = [
        importlib.import_module(f"{schema.package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(schema.package.__path__)
        if info.name.startswith("m") and not info.ispkg
    ]
    modules.sort(key=lambda module: module.VERSION)
    versions = [module.VERSION for module in modules]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"{schema.name} migrations: expected numbers 1..n without gaps (found {versions})")
    return modules


def latest_version(schema: Schema = CONTENT) -> int:
    return len(available_migrations(schema))


def _connection(db: Database) -> sqlite3.Connection:
    return db.connection() if isinstance(db, SqliteDatabase) else db


def _version(connection: sqlite3.Connection) -> int:
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone():
        return 0
    row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def current_version(db: Database) -> int:
    return _version(_connection(db))


def _holds_tables(connection: sqlite3.Connection) -> bool:
    return connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone() is not None


def backup(db: Database, backup_dir: Path, version: int, *, schema: Schema = CONTENT, clock: Clock = system_clock) -> Path:
    """A consistent copy through SQLite's backup API (safe while WAL readers are open), never over an older one."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = clock().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%SZ")  # UTC, said so: the machine's own zone is often wrong
    target = backup_dir / f"{schema.name}-v{version}-{stamp}.sqlite"
    number = 1
    while target.exists():
        number += 1
        target = backup_dir / f"{schema.name}-v{version}-{stamp}-{number}.sqlite"
    destination = sqlite3.connect(target)
    try:
        _connection(db).backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, whatever the original's mode
    finally:
        destination.close()
    return target


def migrate(db: Database, backup_dir: Path, *, schema: Schema = CONTENT, clock: Clock = system_clock) -> int:
    """Apply every pending migration of ``schema``, each in its own transaction. Returns the new version.

    ``db`` is a peewee database (the content store) or a plain ``sqlite3`` connection in autocommit mode
    (``isolation_level=None``: the outbox, the usage log); each migration's ``up`` gets it as given.
    """
    connection = _connection(db)
    modules = available_migrations(schema)
    have = _version(connection)
    if have > len(modules):
        where = connection.execute("PRAGMA database_list").fetchone()[2] or "in memory"
        raise MigrationError(
            f"the {schema.name} database ({where}) has schema version {have}, newer than this app knows ({len(modules)}); "
            f"{schema.if_newer}"
        )
    if have == len(modules):
        return have
    if have > 0 or _holds_tables(connection):
        backup(db, backup_dir, have, schema=schema, clock=clock)
    for module in modules[have:]:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            if _version(connection) < module.VERSION:  # another process may have got here first
                module.up(db)
                connection.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                   (module.VERSION, clock().astimezone(dt.UTC).isoformat(timespec="seconds")))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    return len(modules)


def open_local(path: Path, schema: Schema, *, clock: Clock = system_clock, synchronous: str | None = None,
               busy_timeout_ms: int = 15000) -> sqlite3.Connection:
    """A terminal's own small SQLite file (the outbox, the usage log), opened the one way and migrated.

    Autocommit (``isolation_level=None``: the owner issues its own ``BEGIN IMMEDIATE``), usable from
    several threads behind the owner's lock, WAL so readers never block the writer, a busy timeout so
    another process's write is waited for, ``synchronous`` as given (``FULL`` for what people
    submitted). If any of it fails — a file from a newer app, say — the connection is closed again.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=busy_timeout_ms / 1000)
    try:
        connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        connection.execute("PRAGMA journal_mode=WAL")
        if synchronous is not None:
            connection.execute(f"PRAGMA synchronous={synchronous}")
        migrate(connection, path.parent / "backups", schema=schema, clock=clock)
    except BaseException:
        connection.close()
        raise
    return connection
