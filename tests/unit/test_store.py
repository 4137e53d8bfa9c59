from __future__ import annotations

import sqlite3
import types
from pathlib import Path

import pytest

from kiosk.records.validate import BatchRejected
from kiosk.store import ContentStore, StoreError
from kiosk.store import migrate as migrate_module
from kiosk.terminal import Terminal
from tests.helpers.records import OTHER_VILLAGE, make


def _dump(store: ContentStore) -> list[tuple]:
    return store.sql("SELECT record_id, version, deleted, data FROM record_full ORDER BY record_id") + store.sql(
        "SELECT rowid, title, body FROM search_fts ORDER BY rowid"
    )


def test_store_is_wal_with_foreign_keys_and_a_schema_version(tmp_path: Path) -> None:
    with ContentStore(tmp_path / "c.sqlite") as store:
        assert store.sql("PRAGMA journal_mode")[0][0] == "wal"
        assert store.sql("PRAGMA foreign_keys")[0][0] == 1
        assert store.schema_version == migrate_module.latest_version() >= 1


def test_apply_is_idempotent(terminal: Terminal) -> None:
    batch = [make("document", "doc-1"), make("subsidy_policy", "pol-1")]
    first = terminal.store.apply(batch)
    before = _dump(terminal.store)
    second = terminal.store.apply(batch)
    assert (first.added, second.added, second.unchanged) == (2, 0, 2)
    assert _dump(terminal.store) == before


def test_higher_version_replaces_and_reindexes(terminal: Terminal) -> None:
    terminal.store.apply([make("document", "doc-1")])
    result = terminal.store.apply([make("document", "doc-1", version=2, title="溪源县人民政府关于做好秋冬种工作的通知", body="抓好秋冬种。")])
    assert result.updated == 1
    assert terminal.store.get("doc-1")["title"].endswith("秋冬种工作的通知")
    assert terminal.search.search("秋冬种")[0].record_id == "doc-1"
    assert terminal.search.search("春耕生产") == []


def test_older_versions_are_ignored_and_counted(terminal: Terminal) -> None:
    terminal.store.apply([make("document", "doc-1", version=3)])
    result = terminal.store.apply([make("document", "doc-1", version=2, title="旧标题的通知文件")])
    assert (result.ignored_older, result.changed) == (1, 0)
    assert terminal.store.get("doc-1")["version"] == 3


def test_a_tombstone_deletes_and_blocks_older_copies(terminal: Terminal) -> None:
    terminal.store.apply([make("document", "doc-1")])
    tomb = {"id": "doc-1", "kind": "document", "version": 2, "region": "990121000000",
            "updated_at": "2026-03-02T09:00:00+08:00", "deleted": True}
    assert terminal.store.apply([tomb]).deleted == 1
    assert terminal.store.get("doc-1") is None
    assert terminal.search.search("春耕生产") == []
    assert terminal.store.apply([make("document", "doc-1")]).ignored_older == 1
    assert terminal.store.get("doc-1") is None


def test_a_bad_record_leaves_the_store_exactly_as_it_was(terminal: Terminal) -> None:
    terminal.store.apply([make("document", "doc-1"), make("subsidy_policy", "pol-1")])
    before = _dump(terminal.store)
    batch = [make("document", "doc-1", version=2, title="新标题的通知"), make("document", "doc-2"),
             make("board", "b-1", closing_balance_fen=1)]
    with pytest.raises(BatchRejected) as caught:
        terminal.store.apply(batch)
    assert caught.value.problems[0].record_id == "b-1"
    assert _dump(terminal.store) == before


def test_payments_are_stored_masked(terminal: Terminal) -> None:
    terminal.store.apply([make("subsidy_payment", "pay-1", recipient="欧阳振华", note="卡号6222020200112233445")])
    raw = terminal.store.sql("SELECT data, title FROM record_full WHERE record_id = 'pay-1'")[0]
    body = terminal.store.sql("SELECT body FROM search_fts")[0][0]
    for text in (*raw, body):
        assert "欧阳振华" not in text and "6222020200112233445" not in text
    assert terminal.store.get("pay-1")["recipient"] == "欧阳*华"


def test_a_full_database_fails_cleanly_and_keeps_old_content(tmp_path: Path) -> None:
    with ContentStore(tmp_path / "c.sqlite") as store:
        store.apply([make("document", "doc-1")])
        before = _dump(store)
        pages = store.sql("PRAGMA page_count")[0][0]
        store.sql(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "database or disk is full"
        big = [make("document", f"big-{n}", body="政务公开" * 4000) for n in range(20)]
        with pytest.raises(StoreError, match="disk is full"):
            store.apply(big)
        assert _dump(store) == before


def test_migration_backs_up_existing_data_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.sqlite"
    with ContentStore(path) as store:
        store.apply([make("document", "doc-1")])
    real = migrate_module.available_migrations()
    extra = types.SimpleNamespace(VERSION=len(real) + 1, up=lambda db: db.execute_sql("CREATE TABLE usage_count (day TEXT)"))
    monkeypatch.setattr(migrate_module, "available_migrations", lambda schema=migrate_module.CONTENT: [*real, extra])
    with ContentStore(path) as store:
        assert store.schema_version == len(real) + 1
        assert "usage_count" in store.db.get_tables()
    backups = list((tmp_path / "backups").glob(f"content-v{len(real)}-*.sqlite"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT record_id FROM record").fetchall() == [("doc-1",)]
        assert copy.execute("SELECT MAX(version) FROM schema_version").fetchone() == (len(real),)


def test_a_database_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    ContentStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (99, 'future')")
    with pytest.raises(migrate_module.MigrationError, match="newer"):
        ContentStore(path)


def test_terminal_sees_its_chain_but_not_other_villages(terminal: Terminal) -> None:
    terminal.store.apply([
        make("subsidy_payment", "pay-own"), make("subsidy_payment", "pay-other", region=OTHER_VILLAGE),
        make("subsidy_policy", "pol-1"), make("document", "doc-national", region="000000000000"),
    ])
    counts = terminal.store.counts_by_kind(terminal.scope())
    assert counts == {"subsidy_payment": 1, "subsidy_policy": 1, "document": 1}
    terminal.settings.set_local("content.show_other_villages", True)
    terminal.reload_settings()
    assert terminal.store.counts_by_kind(terminal.scope())["subsidy_payment"] == 1  # a village sees only itself
    # A county hall that opts in sees every village below it.
    terminal.settings.set_local("terminal.region", "990121000000")
    terminal.reload_settings()
    assert terminal.store.counts_by_kind(terminal.scope())["subsidy_payment"] == 2


@pytest.mark.clock
def test_expired_notices_are_not_counted(terminal: Terminal) -> None:
    terminal.store.apply([make("notice", "n-live"), make("notice", "n-old", publish_at="2026-01-01T00:00:00+08:00",
                                                         expire_at="2026-02-01T00:00:00+08:00")])
    assert terminal.store.counts_by_kind(terminal.scope())["notice"] == 1
