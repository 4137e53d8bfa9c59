"""USB sticks staff plug in, found by watching the mount points (no udisks2 or D-Bus needed).

Desktop Linux mounts a stick under ``/media/USER/LABEL`` or ``/run/media/USER/LABEL``; a bare
system under ``/mnt``. ``KIOSK_USB_ROOTS`` (``:``-separated) replaces those roots, for a
terminal that mounts elsewhere and for tests. What a stick holds is named by its shape: a signed
feed folder (``metadata/`` inside, as the portal's feed is copied) or plain record files
(``.jsonl``/``.json``). Looks at most two levels below each mount; never raises.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOTS = ("/media", "/run/media", "/mnt")
FEED, RECORDS = "feed", "records"


@dataclass(frozen=True)
class Found:
    path: Path
    kind: str  # FEED or RECORDS


def roots() -> list[Path]:
    configured = os.environ.get("KIOSK_USB_ROOTS")
    return [Path(p) for p in (configured.split(":") if configured else DEFAULT_ROOTS) if p]


def _kind(folder: Path) -> str | None:
    if (folder / "metadata").is_dir():
        return FEED
    if any(child.suffix in (".jsonl", ".json") and child.is_file() for child in folder.iterdir()):
        return RECORDS
    return None


def _below(folder: Path, depth: int) -> list[Path]:
    try:
        children = sorted(child for child in folder.iterdir() if child.is_dir() and not child.name.startswith("."))
    except OSError:
        return []
    found = list(children)
    if depth > 1:
        for child in children:
            found += _below(child, depth - 1)
    return found


def scan(search: list[Path] | None = None) -> list[Found]:
    """Feed folders and record folders on the mounted sticks, feeds first."""
    found: list[Found] = []
    for root in search if search is not None else roots():
        for folder in _below(root, 3):  # /media/USER/LABEL/feed
            try:
                kind = _kind(folder)
            except OSError:
                continue
            if kind and not any(folder.is_relative_to(f.path) for f in found if f.kind == FEED):
                found.append(Found(folder, kind))
    return sorted(found, key=lambda f: (f.kind != FEED, str(f.path)))
