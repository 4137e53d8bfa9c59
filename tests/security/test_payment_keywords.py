"""Issue 12, item 10: a subsidy payment may not carry ``keywords``, at the publisher or at the terminal.

``keywords`` are published as written and indexed for search; masking covers a payment's recipient
and text fields, never its keywords. So a payment whose keywords held a full name, an ID number, a
bank card and a mobile went into the public feed and the terminal's store, and
``kiosk search <ID number>`` found that person's payment.

Attacks, with real processes and files:

- ``kiosk-publish build`` of a content folder holding such a payment: before, it published it
  (exit 0, the ID number in the feed); now it is refused (exit 2) and the feed is byte for byte
  as it was;
- ``kiosk import`` of the same payment on a terminal: before, imported and found by
  ``kiosk search``; now refused (exit 2), and the search finds nothing;
- ``kiosk import-feed`` of a signed feed made by a publisher that does not refuse them (an old
  one, or the county's keys in careless hands): before, stored and searchable; now the terminal
  refuses the bundle and its store keeps no trace of the number.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.clock import TEST_ENV
from tests.helpers.paths import ROOT
from tests.helpers.records import VILLAGE, make

KIOSK = ROOT / ".venv" / "bin" / "kiosk"
PUBLISH = ROOT / ".venv" / "bin" / "kiosk-publish"
DEMO = ROOT / "resources" / "demo" / "records"
ID_NUMBER = "430521198001011234"
CARD = "6222020212345678901"
MOBILE = "13812345678"
FULL_NAME = "王小明"
SECRETS = (ID_NUMBER, CARD, MOBILE)
# A publisher without the refusal: the real one, with its batch check reduced to "accept everything".
ROGUE_PUBLISHER = (
    "import sys; import sync.publish.build as build; "
    "build.check_batch = lambda pairs: [record for record, _source in pairs]; "
    "from sync.publish.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **TEST_ENV},
    )


def leaky_payment() -> dict[str, Any]:
    return make("subsidy_payment", "pay-sec-keywords", recipient=FULL_NAME, keywords=[FULL_NAME, ID_NUMBER, CARD, MOBILE])


def write_jsonl(path: Path, *records: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def content_folder(base: Path) -> Path:
    """The demo's regions, one notice and the leaky payment: a source the publisher would otherwise take."""
    source = base / "content"
    source.mkdir(parents=True)
    (source / "region.jsonl").write_text((DEMO / "region.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    write_jsonl(source / "notice.jsonl", make("notice", "notice-sec-1"))
    write_jsonl(source / "payment.jsonl", leaky_payment())
    return source


def tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` and its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def holds_any(folder: Path, needles: tuple[str, ...]) -> list[str]:
    """Files below ``folder`` whose bytes (gzip bundles opened) contain one of ``needles``."""
    import gzip

    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if any(needle.encode() in data for needle in needles):
            found.append(str(path))
    return found


def search(data: Path, query: str) -> list[dict[str, Any]]:
    result = run(KIOSK, "search", query, "--json", "--data-dir", data)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def store_text(data: Path) -> str:
    with sqlite3.connect(data / "content.sqlite") as db:
        rows = db.execute("SELECT record_id, data FROM record_full").fetchall()
        rows += db.execute("SELECT rowid, title, aliases FROM search_fts").fetchall()
    return repr(rows)


@pytest.fixture
def terminal(tmp_path: Path) -> Path:
    """A terminal in the payment's village that already holds a notice (so a search answers, not "empty")."""
    data = tmp_path / "terminal"
    good = write_jsonl(tmp_path / "good.jsonl", make("notice", "notice-sec-good"))
    assert run(KIOSK, "import", good, "--data-dir", data).returncode == 0
    assert run(KIOSK, "config", "set", "terminal.region", VILLAGE, "--data-dir", data).returncode == 0
    return data


def test_the_publisher_refuses_a_payment_with_keywords_and_writes_nothing(tmp_path: Path) -> None:
    source, feed, keys = content_folder(tmp_path), tmp_path / "feed", tmp_path / "feed-keys"
    assert run(PUBLISH, "init", feed, "--keys", keys).returncode == 0
    before = tree(feed)
    result = run(PUBLISH, "build", source, feed, "--keys", keys)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    for needle in ("payment.jsonl:1", "record 'pay-sec-keywords'", "field 'keywords'", "expected no keywords on a subsidy_payment", "found 4"):
        assert needle in result.stderr, (needle, result.stderr)
    assert not any(secret in result.stderr for secret in SECRETS), "the refusal must not repeat the personal data"
    assert tree(feed) == before
    assert holds_any(feed, SECRETS) == []


def test_the_terminal_refuses_to_import_a_payment_with_keywords(terminal: Path, tmp_path: Path) -> None:
    usb = write_jsonl(tmp_path / "usb" / "payment.jsonl", leaky_payment())
    result = run(KIOSK, "import", usb, "--data-dir", terminal)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    for needle in ("payment.jsonl:1", "record 'pay-sec-keywords'", "field 'keywords'", "expected no keywords on a subsidy_payment"):
        assert needle in result.stderr, (needle, result.stderr)
    for secret in SECRETS:
        assert search(terminal, secret) == []
    assert not any(secret in store_text(terminal) for secret in SECRETS)


def test_the_terminal_refuses_a_signed_feed_whose_payment_has_keywords(terminal: Path, tmp_path: Path) -> None:
    source, feed, keys = content_folder(tmp_path), tmp_path / "feed", tmp_path / "feed-keys"
    assert run(PUBLISH, "init", feed, "--keys", keys).returncode == 0
    rogue = run(sys.executable, "-c", ROGUE_PUBLISHER, "build", source, feed, "--keys", keys)
    assert rogue.returncode == 0, rogue.stderr
    assert holds_any(feed / "targets", (ID_NUMBER,)), "the rogue publisher must really have signed the number into the feed"

    result = run(KIOSK, "import-feed", feed, "--root", feed / "metadata" / "1.root.json", "--data-dir", terminal, "--json")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 5, (result.returncode, result.stdout, result.stderr)
    assert "keywords" in result.stdout + result.stderr
    for secret in SECRETS:
        assert search(terminal, secret) == []
    assert not any(secret in store_text(terminal) for secret in SECRETS)


def test_a_payment_tombstone_with_keywords_is_refused_too() -> None:
    from kiosk.records.validate import BatchRejected, check_batch

    tombstone = {key: leaky_payment()[key] for key in ("id", "kind", "version", "region", "updated_at", "keywords")} | {"deleted": True}
    with pytest.raises(BatchRejected) as refused:
        check_batch([(tombstone, "feed 990121000000 generation 2")])
    assert "field 'keywords'" in str(refused.value) and ID_NUMBER not in str(refused.value)
    assert check_batch([(make("subsidy_policy", "policy-sec-1"), "ok")])  # other kinds keep their keywords (耕地直补)
