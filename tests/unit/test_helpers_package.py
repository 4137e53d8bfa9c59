"""tests/helpers/ is loaded as plugins, tests.conftest still re-exports its names, and no test file copies the UI helpers again."""

from __future__ import annotations

import ast

import pytest

import tests.conftest
from tests.helpers import clock, paths, records
from tests.helpers.paths import ROOT

UI_HELPERS = {"tap", "press", "current", "button", "visible", "tap_row", "open_window"}


def test_the_helpers_are_plugins_so_their_fixtures_need_no_import(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    assert manager.has_plugin("tests.helpers.fixtures") and manager.has_plugin("tests.helpers.qt")
    assert all(callable(getattr(manager.get_plugin(name), fixture)) for name, fixture in (
        ("tests.helpers.fixtures", "terminal"), ("tests.helpers.fixtures", "demo_terminal"), ("tests.helpers.qt", "kiosk_window")))


def test_tests_conftest_re_exports_the_same_objects_during_the_transition() -> None:
    for module in (records, clock, paths):
        for name in ("make", "VILLAGE", "OTHER_VILLAGE", "COUNTY", "BASE", "TEST_NOW", "TEST_ENV", "ROOT"):
            if hasattr(module, name):
                assert getattr(tests.conftest, name) is getattr(module, name), name


def test_loading_the_qt_helpers_does_not_import_qt() -> None:
    source = (ROOT / "tests" / "helpers" / "qt.py").read_text(encoding="utf-8")
    top_level = [node for node in ast.parse(source).body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert not [node for node in top_level if "PySide6" in ast.unparse(node) or "ui." in ast.unparse(node)]


def test_no_test_file_keeps_its_own_copy_of_the_ui_helpers() -> None:
    copies = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if "helpers" in path.relative_to(ROOT / "tests").parts:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in UI_HELPERS:
                copies.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert copies == []
