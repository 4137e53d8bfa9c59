"""Pick an installed CJK font for the whole app, so Chinese never renders as boxes."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ui.theme import FONT_FAMILIES

log = logging.getLogger(__name__)


def install_cjk_font(app: QApplication) -> str | None:
    families = set(QFontDatabase.families())
    for family in FONT_FAMILIES:
        if family in families:
            font = QFont(family)
            font.setPixelSize(24)
            app.setFont(font)
            return family
    log.warning("no CJK font found among %s; Chinese may show as boxes (install fonts-wqy-microhei)", FONT_FAMILIES)
    return None
