"""An empty store says so, and a reader that stops early is no error: the installed ``kiosk`` script, real pipes.

These run ``.venv/bin/kiosk`` (the console script beside the test's Python) rather than ``python -m app.main``,
because the exit status and the quiet end on a closed pipe must hold for the entry point staff actually type.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.main import EXIT_BROKEN_PIPE, EXIT_EMPTY_STORE
from kiosk.terminal import DEMO_RECORDS
from tests.helpers.paths import ROOT
from tests.helpers.records import make

KIOSK = Path(sys.executable).with_name("kiosk")
#: Linux pipes hold 64 KiB; the answer must be larger, or the writer finishes before the reader goes away.
PIPE_BUFFER_BYTES = 64 * 1024


def kiosk(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    assert KIOSK.exists(), f"{KIOSK} is missing: install the project into the venv (make test sets it up)"
    return subprocess.run([str(KIOSK), *args, "--data-dir", str(data)], cwd=ROOT, capture_output=True, text=True, timeout=300)


def assert_empty_store_hint(stderr: str, data: Path) -> None:
    lines = stderr.splitlines()
    assert "内容库是空的" in lines[0] and str(data) in lines[0], stderr  # Chinese first
    assert "The store is empty" in lines[1] and str(data) in lines[1], stderr  # then English
    for way in ("kiosk import PATH", "kiosk run --demo", "kiosk enroll --portal URL --code CODE", "kiosk sync --once"):
        assert way in stderr, (way, stderr)
    assert f"--data-dir {data}" in stderr  # not the default folder: the commands can be pasted as shown
    assert "Traceback" not in stderr


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county, big enough that a search answer overflows a pipe's buffer."""
    data = tmp_path_factory.mktemp("pipe") / "terminal"
    result = kiosk("import", str(DEMO_RECORDS), data=data)
    assert result.returncode == 0, result.stderr
    return data


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    """A store with content (two records) but nothing about the query the tests ask."""
    data = tmp_path / "small"
    records = [make("document", "doc-1"), make("subsidy_policy", "pol-1")]
    (tmp_path / "two.jsonl").write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in records), encoding="utf-8")
    result = kiosk("import", str(tmp_path / "two.jsonl"), data=data)
    assert result.returncode == 0, result.stderr
    return data


@pytest.mark.parametrize("command", [
    ["search", "耕地"], ["search", "耕地", "--json"], ["show", "doc-1"], ["show", "doc-1", "--json"],
    ["print", "doc-1", "--to-file", "{tmp}/out.pdf"], ["print", "--payments", "990121101201", "--to-file", "{tmp}/list.pdf"],
])
def test_an_empty_store_says_so_instead_of_answering_nothing(tmp_path: Path, command: list[str]) -> None:
    data = tmp_path / "empty"
    result = kiosk(*(part.format(tmp=tmp_path) for part in command), data=data)
    assert result.returncode == EXIT_EMPTY_STORE, (result.returncode, result.stderr)
    assert result.stdout == ""  # no "[]" or "no results" that reads like a real answer
    assert_empty_store_hint(result.stderr, data)
    assert not list(tmp_path.glob("*.pdf"))


def test_info_on_an_empty_store_still_reports_and_says_it_is_empty(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    result = kiosk("info", "--json", data=data)
    assert result.returncode == EXIT_EMPTY_STORE
    info = json.loads(result.stdout)
    assert info["empty"] is True and info["records"] == 0 and info["data_dir"] == str(data)
    assert_empty_store_hint(result.stderr, data)
    human = kiosk("info", data=data)
    assert human.returncode == EXIT_EMPTY_STORE and "0 in the store (empty)" in human.stdout
    assert_empty_store_hint(human.stderr, data)


def test_a_store_with_content_and_no_match_answers_an_empty_result(small_dir: Path) -> None:
    as_json = kiosk("search", "高龄津贴", "--json", data=small_dir)
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == [] and as_json.stderr == ""
    human = kiosk("search", "高龄津贴", data=small_dir)
    assert human.returncode == 0 and human.stdout == "no results for '高龄津贴'\n" and human.stderr == ""
    info = kiosk("info", "--json", data=small_dir)
    assert info.returncode == 0 and json.loads(info.stdout)["empty"] is False and info.stderr == ""
    missing = kiosk("show", "no-such-id", data=small_dir)
    assert missing.returncode == 1 and "no-such-id" in missing.stderr  # not found, not "empty"


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback(demo_dir: Path) -> None:
    size = len(kiosk("search", "通知", "--limit", "5000", "--json", data=demo_dir).stdout.encode())
    assert size > 2 * PIPE_BUFFER_BYTES, size
    process = subprocess.Popen([str(KIOSK), "search", "通知", "--limit", "5000", "--json", "--data-dir", str(demo_dir)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"[\n"
    process.stdout.close()  # the rest no longer fits in the pipe: the next write fails with EPIPE
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_BROKEN_PIPE, stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr and "Exception ignored" not in stderr, stderr


def test_kiosk_search_piped_into_head_is_quiet(demo_dir: Path) -> None:
    script = f'"{KIOSK}" search 通知 --limit 5000 --json --data-dir "{demo_dir}" | head -1; echo "status=${{PIPESTATUS[0]}}" >&2'
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout == "[\n"
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert result.stderr.strip() == f"status={EXIT_BROKEN_PIPE}", result.stderr
