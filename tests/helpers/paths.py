"""Where the repository is, for tests that start ``kiosk`` processes or read its files."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
