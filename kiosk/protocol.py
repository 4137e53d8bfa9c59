"""What the terminal and the portal must agree on for uploads (docs/PROTOCOL.md, "Terminal ↔ portal API").

The terminal's outbox (kiosk/outbox.py, sync/sender.py) and the portal's upload API and staff CLI
(sync/portal/) each kept their own copy of the kinds and of the idempotency-key pattern; a kind added on
one side only would be queued for ever or refused as a bad request. They live here, in the core both
sides import, and nowhere else.
"""

from __future__ import annotations

import re
from typing import Any

#: What a terminal may send: a rating, a day's usage counts, a heartbeat, a disclosure request (sealed
#: personal data), a printer alert.
OUTBOX_KINDS: tuple[str, ...] = ("rating", "usage", "heartbeat", "request", "alert")

#: A usage item's ``zero_results`` (docs/PROTOCOL.md, "Usage payload"): searches that found nothing on one
#: local day, each query NFKC-normalised and at most this many characters, at most this many entries an item
#: (the most frequent first). The portal refuses an item past either bound (400).
ZERO_RESULT_QUERY_CHARS = 32
ZERO_RESULTS_PER_ITEM = 50

#: The fields of an upload's body (canonical JSON, fixed when the row is queued).
BODY_FIELDS: tuple[str, ...] = ("kind", "created_at", "payload", "sealed")

#: The header that carries an item's key; the portal stores an item once per (terminal, key).
IDEMPOTENCY_HEADER = "Idempotency-Key"

#: A key is 1–128 of these characters: safe in a header, a file name and a log line.
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
#: In words, for a refusal ("expected …").
IDEMPOTENCY_KEY_RULE = "1–128 characters of A–Z a–z 0–9 . _ : -"
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]")


def is_idempotency_key(key: object) -> bool:
    """True when ``key`` may be sent (and stored) as an idempotency key."""
    return isinstance(key, str) and IDEMPOTENCY_KEY_PATTERN.match(key) is not None


def key_part(text: str, max_chars: int = 90) -> str:
    """``text`` (a terminal id, say) made safe to build a deterministic key from: other characters become ``_``."""
    return _UNSAFE.sub("_", text)[:max_chars]


def upload_body(kind: str, created_at: str, payload: dict[str, Any] | None, sealed: str | None) -> dict[str, Any]:
    """An upload's body with exactly :data:`BODY_FIELDS`, as the portal checks it."""
    return dict(zip(BODY_FIELDS, (kind, created_at, payload, sealed), strict=True))
