"""A bug in the terminal's own program is an ``internal`` sync error, not bad data from the portal.

Real parts throughout (nginx serving a signed feed, the terminal's store, the home summary); one test
double at a boundary raises the TypeError a bug would: the transport under python-tuf (which wraps
whatever a fetcher raises in a DownloadError), or the store that applies a channel's records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import running_from
from kiosk.home import home_summary
from kiosk.syncstatus import DISTRUST, ERROR_TEXT_ZH, SyncErrorKind, data_status
from kiosk.terminal import Terminal
from sync.client import FeedSync, classify
from sync.feed import FeedFormatError
from sync.transport import make_session
from tests.helpers.clock import TEST_NOW
from tests.sync.feed_support import FeedFixture, edit_record, first_id, make_source, store_dump, sync
from tests.sync.nginx import NginxServer

INTERNAL_ZH = "终端程序出错，请联系工作人员"


@pytest.fixture
def feed(nginx_root: Path, tmp_path: Path) -> FeedFixture:
    fixture = FeedFixture(nginx_root, tmp_path / "keys", make_source(tmp_path / "source", documents=5))
    fixture.build()
    return fixture


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    with Terminal(tmp_path / "terminal", running_from(TEST_NOW)) as term:
        yield term


def _bug(*_args: Any, **_kwargs: Any) -> Any:
    raise TypeError("unsupported operand type(s) for +: 'int' and 'NoneType'")


def _broken_transport(terminal: Terminal, _monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    session = make_session(terminal.settings)
    session.get = _bug  # type: ignore[method-assign]
    return {"session": session}


def _broken_store(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(terminal.store, "apply", _bug)
    return {}


@pytest.mark.parametrize("boundary", [_broken_transport, _broken_store], ids=["transport", "store"])
def test_a_bug_inside_the_sync_is_internal_worded_as_such_and_not_stale(
        boundary: Any, terminal: Terminal, feed: FeedFixture, nginx: NginxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    url = nginx.base_url + "/"
    assert sync(terminal, url, feed).status == "updated"
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="程序出错时未能收到的通知")
    feed.build()
    before = store_dump(terminal)

    report = FeedSync(terminal, url, **boundary(terminal, monkeypatch)).run()

    assert report.status in ("failed", "partial") and report.error_kind == SyncErrorKind.INTERNAL, report.as_dict()
    assert report.message_zh == INTERNAL_ZH
    assert "TypeError" in report.error and "bug" in report.error
    assert store_dump(terminal) == before  # the kiosk keeps showing what it had
    states = terminal.store.channel_states()
    assert any(state["error_kind"] == "internal" for state in states.values())
    status = home_summary(terminal).data_status
    assert (status.kind, status.stale, status.error_kind) == ("offline", False, "internal")  # not 数据可能不是最新
    assert status.message_zh == INTERNAL_ZH
    info = terminal.info()["sync"]  # what `kiosk info` reports to staff
    assert (info["status"], info["error_kind"], info["message_zh"]) == ("offline", "internal", INTERNAL_ZH)

    monkeypatch.undo()
    assert sync(terminal, url).status == "updated"  # the next clean run converges
    assert data_status(terminal).kind == "fresh"


def test_a_stored_format_error_still_marks_the_data_stale(terminal: Terminal) -> None:
    """The contrast: bad data from the portal is distrusted at once; an internal error is not."""
    now = TEST_NOW.isoformat()
    terminal.store.note_sync("990121000000", at=now)  # one success, so staleness comes only from the kind
    terminal.store.note_sync("990121000000", at=now, error="bad catalog", error_kind=SyncErrorKind.FORMAT)
    assert data_status(terminal).stale
    terminal.store.note_sync("990121000000", at=now, error="a bug", error_kind=SyncErrorKind.INTERNAL)
    assert data_status(terminal).kind == "offline"


def test_every_kind_has_its_sentence_and_internal_is_not_distrust() -> None:
    assert set(ERROR_TEXT_ZH) == set(SyncErrorKind)
    assert SyncErrorKind.INTERNAL not in DISTRUST and DISTRUST.issubset(SyncErrorKind)
    assert ERROR_TEXT_ZH[SyncErrorKind.INTERNAL] == INTERNAL_ZH
    assert SyncErrorKind("format") is SyncErrorKind.FORMAT and SyncErrorKind.FORMAT == "format"  # the stored text


@pytest.mark.parametrize(("raised", "kind"), [
    (TypeError("x"), SyncErrorKind.INTERNAL),
    (KeyError("channel"), SyncErrorKind.INTERNAL),
    (AttributeError("'NoneType' object has no attribute 'records'"), SyncErrorKind.INTERNAL),
    (FeedFormatError("catalog: format should be 'kiosk-catalog/1'"), SyncErrorKind.FORMAT),
    (ConnectionResetError(104, "reset"), SyncErrorKind.NETWORK),
    (OSError(28, "No space left on device"), SyncErrorKind.DISK),
])
def test_classify_names_only_known_causes(raised: BaseException, kind: SyncErrorKind) -> None:
    assert classify(raised).kind is kind
