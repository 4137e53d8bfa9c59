"""``kiosk staff``, ``kiosk --version`` and ``kiosk info``'s times, printers and usage, through the command itself."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.main import main
from kiosk import __version__
from kiosk.terminal import Terminal


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(monkeypatch, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"kiosk {__version__}"


def test_set_pin_from_stdin_stores_a_hash_and_refuses_a_bad_pin(monkeypatch, capsys, tmp_path: Path) -> None:
    data = str(tmp_path / "t")
    code, _, err = run(monkeypatch, capsys, "staff", "set-pin", "--stdin", "--data-dir", data, stdin="1234\n1234\n")
    assert code == 2 and "expected 6 to 8 digits (found 4 characters); nothing was changed" in err
    code, _, err = run(monkeypatch, capsys, "staff", "set-pin", "--stdin", "--data-dir", data, stdin="123456\n654321\n")
    assert code == 2 and "the same PIN twice" in err and not (tmp_path / "t" / "staff.json").exists()
    code, out, _ = run(monkeypatch, capsys, "staff", "set-pin", "--stdin", "--data-dir", data, stdin="123456\n123456\n")
    assert code == 0 and "5 seconds" in out
    assert json.loads((tmp_path / "t" / "staff.json").read_text())["pin_hash"].startswith("$argon2id$")
    code, out, _ = run(monkeypatch, capsys, "staff", "status", "--json", "--data-dir", data)
    assert json.loads(out) == {"pin_set": True, "pin_from": "terminal", "failures": 0, "wait_s": 0, "locked": False}


def test_info_shows_every_time_in_the_terminals_zone_and_the_printers(monkeypatch, capsys, tmp_path: Path) -> None:
    with Terminal(tmp_path / "t") as terminal:
        terminal.store.note_sync("county", at="2026-11-21T02:00:00+00:00")
        terminal.store.set_meta("data_changed_at", "2026-11-21T01:30:00Z")
    _code, out, _ = run(monkeypatch, capsys, "info", "--json", "--data-dir", str(tmp_path / "t"))
    info = json.loads(out)
    assert info["data_changed_at"] == "2026-11-21T09:30:00+08:00"
    assert info["sync"]["last_success"] == "2026-11-21T10:00:00+08:00"
    assert info["sync"]["channels"]["county"]["last_success"] == "2026-11-21T10:00:00+08:00"
    assert [p["role"] for p in info["printers"]] == ["a4", "receipt"] and info["version"] == __version__
    assert {"prints-today", "zero-today", "printer-receipt"} <= {line["name"] for line in info["status"]}
