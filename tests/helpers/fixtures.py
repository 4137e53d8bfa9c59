"""Fixtures every test folder may use: a terminal on a real SQLite store in a temporary folder, and the demo county.

A plugin (``pytest_plugins`` in tests/conftest.py), so the fixtures are found without importing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import fixed_clock
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """An empty terminal at TEST_NOW."""
    with Terminal(tmp_path / "terminal", fixed_clock(TEST_NOW)) as term:
        yield term


@pytest.fixture(scope="session")
def demo_terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    """The bundled demo county at its anchor day, loaded once through the normal import path."""
    with Terminal(tmp_path_factory.mktemp("demo"), fixed_clock(TEST_NOW)) as term:
        term.ensure_demo_content()
        yield term
