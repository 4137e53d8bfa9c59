"""Pick a terminal's printers from its settings: one for A4 pages, one for the receipt roll."""

from __future__ import annotations

from pathlib import Path

from kiosk.settings import Settings
from printing.backend import PrinterBackend


def printer_for(settings: Settings, data_dir: Path, role: str) -> PrinterBackend | None:
    """The backend for ``role`` ("a4" or "receipt"), or None when that kind of printing is off."""
    kind = settings["printing.backend"]
    queue = settings["printing.queue"] if role == "a4" else settings["printing.receipt_queue"]
    if kind == "none" or (role == "receipt" and kind in ("cups", "qt") and not queue):
        return None
    if kind == "file":
        from printing.filebackend import FileBackend

        folder = settings["printing.output_dir"] or str(Path(data_dir) / "printed")
        return FileBackend(Path(folder) / role)
    if kind == "cups":
        from printing.cups import CupsBackend

        return CupsBackend(queue, server=settings["printing.cups_server"] or None)
    from printing.qtprint import QtBackend

    return QtBackend(queue)
