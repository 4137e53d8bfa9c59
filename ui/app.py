"""The main window and ``run_kiosk``: the screens stacked in one full-screen window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.terminal import Terminal

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.tasks import SyncService
    from ui.window import MainWindow


def _ensure_platform(args: argparse.Namespace) -> None:
    """Offscreen for screenshots; a clear message instead of a Qt abort when there is no display."""
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        sys.stderr.write(
            "No display found. Use --screenshot PATH to render a screen to a PNG, or run under a virtual display:\n"
            "  xvfb-run -s '-screen 0 1920x1080x24' kiosk run --demo --windowed\n"
        )
        raise SystemExit(4)


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--size must look like 1920x1080, not {text!r}") from None
    if not (320 <= width <= 8192 and 320 <= height <= 8192):
        raise SystemExit(f"--size {text!r} is out of range (320–8192 per side)")
    return width, height


def run_kiosk(terminal: Terminal, args: argparse.Namespace, background: SyncService | None = None) -> int:
    """Show the kiosk. ``background`` is background sync from the composition root (``app/background.py``), or None.

    Every worker (sync, print queue, speech, tasks, the settings watch) stops in one place on quit:
    ``MainWindow.shutdown()`` on ``aboutToQuit``.
    """
    _ensure_platform(args)
    from PySide6.QtWidgets import QApplication

    from ui.fonts import install_cjk_font
    from ui.staff_panel import RESTART_EXIT
    from ui.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_cjk_font(app)
    lang = args.lang or terminal.settings["ui.language"]
    large = args.large or terminal.settings["ui.large_text"]
    window = MainWindow(terminal, lang=lang, large=large, lockdown=bool(args.kiosk_mode))
    width, height = parse_size(args.size)
    if args.screenshot is not None:
        try:
            return _screenshot(window, app, args, width, height)
        finally:
            window.shutdown()  # a reading screen may have started the speech worker
    app.aboutToQuit.connect(window.shutdown)
    window.start(background)
    if args.kiosk_mode:
        window.enter_kiosk_mode()
    else:
        window.resize(width, height)
        window.show()
    code = app.exec()
    if code == RESTART_EXIT:  # 重启程序 in staff mode: the same command again, in this process's place
        os.execv(sys.executable, [sys.executable, *sys.argv])
    return code



def _screenshot(window: MainWindow, app: QApplication, args: argparse.Namespace, width: int, height: int) -> int:
    """Render ``args.screen`` offscreen into ``args.screenshot``; the exit code."""
    window.resize(width, height)
    try:
        window.show_screen(args.screen)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    window.show()
    app.processEvents()
    path = Path(args.screenshot)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        sys.stderr.write(f"could not write {path}\n")
        return 3
    sys.stdout.write(f"wrote {path} ({width}x{height}, screen {args.screen})\n")
    return 0
