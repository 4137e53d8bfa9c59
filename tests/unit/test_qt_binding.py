"""The Qt binding must survive a day of taps: PySide6 6.12.0 loses a reference to True on every
Python-side signal emit, and the process aborts (bool_dealloc) after a few thousand. Pinned in
pyproject.toml; this test keeps a future upgrade honest."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    plain = Signal()
    with_value = Signal(object)


def test_emitting_python_signals_does_not_leak_or_drop_references(qapp) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.with_value.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(2000):
        emitter.plain.emit()
        emitter.with_value.emit(None)
    assert len(received) == 2000
    assert abs(sys.getrefcount(True) - before) < 50, f"True lost {before - sys.getrefcount(True)} references in 4,000 emits"
