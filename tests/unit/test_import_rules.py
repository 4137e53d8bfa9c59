"""The layer rule (docs/ARCHITECTURE.md, "Packages and the direction of imports"): kiosk/ never imports ui/, sync/,
printing/ or QtWidgets; sync/ and printing/ import only kiosk/.

And only kiosk/ speaks SQL: the shipped packages around it ask the core (``Browser``, ``ContentStore`` methods)
instead of calling ``.sql(``, so a schema change is made in one package. Tests and benchmarks may still look
into the store directly.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

FORBIDDEN = {
    "kiosk": ("ui", "sync", "printing", "app", "PySide6.QtWidgets", "PySide6.QtGui"),
    "sync": ("ui", "printing", "app", "PySide6.QtWidgets"),
    "printing": ("ui", "sync", "app", "PySide6.QtWidgets"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_the_import_direction(package: str) -> None:
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imported_modules(path):
            if any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN[package]):
                violations.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert violations == []


def test_the_checker_would_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from ui.home import HomeScreen\nimport PySide6.QtWidgets\nfrom PySide6 import QtWidgets\n")
    modules = [module for _, module in imported_modules(bad)]
    assert "ui.home" in modules and "PySide6.QtWidgets" in modules
    assert modules.count("PySide6.QtWidgets") == 2


def test_only_ui_imports_qt_widgets() -> None:
    packages = ("app", "kiosk", "ui", "sync", "printing", "bench", "tools")
    users = {
        package
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        for _, module in imported_modules(path)
        if module.startswith("PySide6.QtWidgets")
    }
    assert users <= {"ui", "bench"}  # bench/bench_ui.py times a bare QWidget as the baseline for the screens


#: Shipped packages that must not call ``.sql(`` (tests, bench and tools may inspect the store directly).
NO_SQL_PACKAGES = ("app", "ui", "sync", "printing")


def sql_calls(path: Path) -> list[int]:
    """Lines that call a method named ``sql``: ``store.sql(...)``, ``terminal.store.sql(...)``, ``self.sql(...)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "sql")


@pytest.mark.parametrize("package", NO_SQL_PACKAGES)
def test_only_the_core_speaks_sql(package: str) -> None:
    violations = [f"{path.relative_to(ROOT)}:{line} calls .sql(" for path in sorted((ROOT / package).rglob("*.py"))
                  for line in sql_calls(path)]
    assert violations == []


def test_the_sql_checker_would_catch_a_call(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('rows = terminal.store.sql("SELECT 1")\n'
                   'def f(store):\n    return store.sql(\n        "SELECT 2", [])\n'
                   'sql = "SELECT 3"  # a name, not a call\nstore.sqlite()\n')
    assert sql_calls(bad) == [1, 3]
