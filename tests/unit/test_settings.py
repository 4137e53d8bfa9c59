from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.settings import SETTINGS, Settings, parse_text, settings_markdown
from kiosk.terminal import Terminal
from tests.helpers.paths import ROOT
from tests.helpers.records import make


def test_defaults_apply_when_nothing_is_set(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    assert settings["ui.idle_timeout_s"] == 120 and settings.problems == []
    assert set(settings.as_dict()) == {s.key for s in SETTINGS}


def test_a_bad_local_value_is_reported_and_the_default_used(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"ui.idle_timeout_s": 5, "terminal.region": "12", "ui.colour": "red", "ui.large_text": "yes"}))
    settings = Settings(path)
    assert settings["ui.idle_timeout_s"] == 120 and settings["ui.large_text"] is False
    found = {problem.key: problem.expected for problem in settings.problems}
    assert found["ui.idle_timeout_s"] == "a number from 30 to 3600"
    assert "region code" in found["terminal.region"]
    assert "known setting" in found["ui.colour"]
    assert found["ui.large_text"] == "true or false"


def test_a_corrupt_settings_file_does_not_stop_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    settings = Settings(path)
    assert settings["terminal.region"] == "990121101201"
    assert settings.problems[0].key == "(file)"


def test_set_local_validates_and_writes_atomically(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = Settings(path)
    settings.set_local("ui.idle_timeout_s", 300)
    with pytest.raises(ValueError, match="30 to 3600"):
        settings.set_local("ui.idle_timeout_s", 1)
    assert json.loads(path.read_text()) == {"ui.idle_timeout_s": 300}
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    assert parse_text("ui.large_text", "true") is True
    with pytest.raises(ValueError, match="whole number"):
        parse_text("ui.idle_timeout_s", "two")


def test_portal_profiles_apply_but_staff_overrides_win_and_staff_only_keys_are_protected(terminal: Terminal) -> None:
    terminal.store.apply([
        make_profile("p-county", "990121000000", {"ui.idle_timeout_s": 200, "terminal.region": "990121102201"}),
        make_profile("p-village", "990121101201", {"ui.idle_timeout_s": 180}),
        make_profile("p-other", "990121101201", {"ui.idle_timeout_s": 999}, targets=["someone-else"]),
    ], origin="990121000000")  # as the county channel's sync stores them: only a feed's profiles count
    terminal.reload_settings()
    assert terminal.settings["ui.idle_timeout_s"] == 180  # the nearer region wins; other terminals' profile ignored
    assert terminal.region == "990121101201"  # the portal can't move a terminal
    assert any(p.key == "terminal.region" for p in terminal.settings.problems)
    terminal.settings.set_local("ui.idle_timeout_s", 240)
    terminal.reload_settings()
    assert terminal.settings["ui.idle_timeout_s"] == 240


def make_profile(record_id: str, region: str, values: dict, targets: list[str] | None = None) -> dict:
    record = make("document", record_id, region=region)
    keep = {k: record[k] for k in ("id", "version", "region", "updated_at")}
    return {**keep, "kind": "terminal_profile", "name": record_id, "settings": values, "terminal_ids": targets or []}


def test_settings_doc_is_generated_from_the_schema() -> None:
    assert (ROOT / "docs" / "SETTINGS.md").read_text(encoding="utf-8") == settings_markdown()


def test_protocol_doc_records_section_is_current() -> None:
    from kiosk.records.docs import protocol_records_markdown, replace_generated_section

    text = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
    assert replace_generated_section(text, protocol_records_markdown()) == text
    assert "`amount_fen`" in text and "`closing_balance_fen`" in text
