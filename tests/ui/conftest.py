from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

SHOTS = ROOT / ".data" / "screenshots"


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["kiosk-tests"]


@pytest.fixture(scope="session", autouse=True)
def cjk_font(qapp) -> str:
    from ui.fonts import install_cjk_font

    family = install_cjk_font(qapp)
    assert family, "no CJK font installed: run scripts/setup-system.sh"
    return family


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
