"""ContentStore.apply reads any iterable once, in chunks, inside one transaction (issue 12, item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.records.validate import BatchRejected, check_stream
from kiosk.store import ContentStore
from kiosk.store import store as store_module
from tests.helpers.records import make


def _dump(store: ContentStore) -> list[tuple]:
    return store.sql("SELECT record_id, version, deleted, data FROM record_full ORDER BY record_id") + store.sql(
        "SELECT rowid, title, body FROM search_fts ORDER BY rowid"
    )


def _documents(count: int, consumed: list[int], *, start: int = 0) -> Iterator[dict]:
    for index in range(start, start + count):
        consumed.append(index)
        yield make("document", f"doc-{index}")


def test_a_generator_is_consumed_once_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_CHUNK", 7)
    consumed: list[int] = []
    with ContentStore(tmp_path / "c.sqlite") as store:
        result = store.apply(_documents(30, consumed))
        assert result.added == 30 and consumed == list(range(30)) and store.count() == 30


def test_a_bad_record_in_a_late_chunk_rolls_back_every_earlier_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_CHUNK", 5)
    with ContentStore(tmp_path / "c.sqlite") as store:
        store.apply([make("document", "kept")])
        before = _dump(store)
        batch = [*_documents(12, []), {**make("document", "bad"), "version": "two"}, *_documents(3, [], start=20)]
        with pytest.raises(BatchRejected, match="'bad', field 'version'"):
            store.apply(batch)
        assert _dump(store) == before


def test_across_chunks_the_highest_version_wins_and_a_conflict_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_CHUNK", 2)
    with ContentStore(tmp_path / "c.sqlite") as store:
        one, two = make("document", "d", title="第一版标题"), make("document", "d", version=2, title="第二版标题")
        filler = [make("document", f"f-{i}") for i in range(4)]
        store.apply([two, *filler, one, one])  # the older copy comes two chunks later: ignored
        assert store.get("d")["title"] == "第二版标题"
        before = _dump(store)
        with pytest.raises(BatchRejected, match="a new version number"):
            store.apply([make("document", "e"), *filler, make("document", "e", title="另一个标题")])
        assert _dump(store) == before


def test_checked_records_are_read_again_and_not_validated_twice(tmp_path: Path) -> None:
    opened: list[int] = []

    def open_pairs() -> Iterator[tuple[dict, str]]:
        opened.append(1)
        return ((record, "test") for record in _documents(10, []))

    checked = check_stream(open_pairs)
    assert checked.count == 10 and len(opened) == 1
    with ContentStore(tmp_path / "c.sqlite") as store:
        assert store.apply(checked).added == 10
    assert len(opened) == 2
    with pytest.raises(BatchRejected):
        check_stream(lambda: [({**make("document", "x"), "kind": "nope"}, "test")])
