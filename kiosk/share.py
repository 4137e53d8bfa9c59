"""The address a QR code takes home: the item's page on the county portal, and nothing else.

A QR code on a government kiosk is trusted by whoever scans it, so it may only point at the
configured portal origins (setting ``share.allowed_origins``, by default the origin of
``share.portal_url``). The URL is ASCII: the record id is percent-encoded, which every phone
scanner reads the same way.
"""

from __future__ import annotations

import functools
from urllib.parse import quote, urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from kiosk.settings import Settings


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.scheme and parts.netloc else ""


def allowed_origins(settings: Settings) -> set[str]:
    listed = {origin_of(item) for item in settings["share.allowed_origins"].split(",") if item.strip()}
    return {origin for origin in listed if origin} or ({origin_of(settings["share.portal_url"])} - {""})


def is_allowed(url: str, settings: Settings) -> bool:
    return url.isascii() and origin_of(url) in allowed_origins(settings)


def record_url(record_id: str, settings: Settings) -> str | None:
    """``{portal}/r/{id}`` for a record, or None when no portal is configured or it is not allowed."""
    portal = settings["share.portal_url"].strip().rstrip("/")
    if not portal:
        return None
    url = f"{portal}/r/{quote(record_id, safe='')}"
    return url if is_allowed(url, settings) else None


@functools.lru_cache(maxsize=64)
def _qr_rows(url: str) -> tuple[tuple[bool, ...], ...]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)  # ~6 ms: qrcode tries all eight masks, so a URL is encoded once per process
    return tuple(tuple(row) for row in code.get_matrix())


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules of ``url`` at level M, without the quiet zone (callers draw their own margin)."""
    if not url.isascii():
        raise ValueError(f"QR payload must be ASCII (percent-encode it): {url!r}")
    return [list(row) for row in _qr_rows(url)]
