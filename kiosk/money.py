"""Money is integer fen (分) everywhere; this is the one place that turns it into text."""

from __future__ import annotations

from kiosk.i18n import N_


def format_fen(fen: int, *, symbol: bool = True) -> str:
    """12345 → '¥123.45'; -5 → '-¥0.05'. Never goes through floating point."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money must be integer fen, got {fen!r}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    number = f"{yuan:,}.{cents:02d}"
    return f"{sign}¥{number}" if symbol else N_("{amount}元").format(amount=f"{sign}{number}")  # 简体中文; kiosk.i18n.money_words for others
