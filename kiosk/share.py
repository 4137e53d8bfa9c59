"""The address a QR code takes home: the item's page on the county portal, and nothing else.

A QR code on a government kiosk is trusted by whoever scans it, so it may only point at the
portal this terminal is pinned to (issue 12, item 2): the origin of ``sync.portal_url`` once it is
enrolled, else the origin of ``share.portal_url`` as staff set it (or its default). Staff may widen
that on the terminal with ``share.allowed_origins`` in ``settings.json``; a ``terminal_profile``,
even a signed one, may only narrow it, and a ``share.portal_url`` it pushes elsewhere gets no QR
code. The URL is ASCII: the record id is percent-encoded, which every phone scanner reads the
same way.
"""

from __future__ import annotations

import functools
from urllib.parse import quote, urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from kiosk.settings import BY_KEY, Settings


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.scheme and parts.netloc else ""


def _listed(value: str) -> set[str]:
    return {origin_of(item) for item in value.split(",") if item.strip()} - {""}


def pinned_origins(settings: Settings) -> set[str]:
    """The origins staff's own layer allows: their ``share.allowed_origins``, else the enrolled portal
    (``sync.portal_url``, a staff-only setting ``kiosk enroll`` writes) and their ``share.portal_url``
    (or its default when neither is set). No profile value is read here."""
    local = settings.local
    if _listed(local.get("share.allowed_origins", "")):
        return _listed(local["share.allowed_origins"])
    enrolled = origin_of(settings["sync.portal_url"])
    portal = local.get("share.portal_url", "" if enrolled else BY_KEY["share.portal_url"].default)
    return {enrolled, origin_of(portal)} - {""}


def allowed_origins(settings: Settings) -> set[str]:
    """Where a QR code may point: the pinned origins, narrowed (never widened) by a profile's list."""
    pinned = pinned_origins(settings)
    pushed = _listed(settings.portal.get("share.allowed_origins", ""))
    if pushed and not _listed(settings.local.get("share.allowed_origins", "")):
        return pinned & pushed
    return pinned


def is_allowed(url: str, settings: Settings) -> bool:
    return url.isascii() and origin_of(url) in allowed_origins(settings)


def share_portal(settings: Settings) -> str:
    """``share.portal_url`` as set by staff or a profile; on an enrolled terminal where neither set it,
    the enrolled portal itself (the built-in default is the demo county's address)."""
    if "share.portal_url" in settings.local or "share.portal_url" in settings.portal:
        return settings["share.portal_url"]
    return settings["sync.portal_url"] or settings["share.portal_url"]


def record_url(record_id: str, settings: Settings) -> str | None:
    """``{portal}/r/{id}`` for a record, or None when no portal is configured or it is not allowed."""
    portal = share_portal(settings).strip().rstrip("/")
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
