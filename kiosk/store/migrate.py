"""Bring a database to the newest schema, backing it up first when it already holds data."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import sqlite3
from pathlib import Path
from types import ModuleType

from peewee import SqliteDatabase

import kiosk.migrations
from kiosk.errors import ExitCode, KioskError


class MigrationError(KioskError, RuntimeError):
    """The database cannot be brought to this app's schema."""

    exit_code = ExitCode.STORE


def available_migrations() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"kiosk.migrations.{info.name}")
        for info in pkgutil.iter_modules(kiosk.migrations.__path__)
        if info.name.startswith("m")
    ]
    modules.sort(key=lambda module: module.VERSION)
    versions = [module.VERSION for module in modules]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return modules


def latest_version() -> int:
    return len(available_migrations())


def current_version(db: SqliteDatabase) -> int:
    if "schema_version" not in db.get_tables():
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def backup(db: SqliteDatabase, backup_dir: Path, version: int) -> Path:
    """A consistent copy through SQLite's backup API (safe while WAL readers are open)."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"content-v{version}-{stamp}.sqlite"
    destination = sqlite3.connect(target)
    try:
        db.connection().backup(destination)
    finally:
        destination.close()
    return target


def migrate(db: SqliteDatabase, backup_dir: Path) -> int:
    """Apply every pending migration, each in its own transaction. Returns the new version."""
    have = current_version(db)
    modules = available_migrations()
    if have > len(modules):
        raise MigrationError(
            f"the content database has schema version {have}, newer than this app knows ({len(modules)}); "
            "install the newer app or remove the data folder to start again"
        )
    if have == len(modules):
        return have
    if have > 0:
        backup(db, backup_dir, have)
    db.execute_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for module in modules[have:]:
        with db.atomic():
            module.up(db)
            db.execute_sql(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (module.VERSION, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
    return len(modules)
