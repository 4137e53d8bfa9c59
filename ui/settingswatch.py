"""Notices when ``settings.json`` changes on disk while the kiosk runs, so staff changes apply at once.

Staff change settings with ``kiosk config set`` from a shell, or an editor, on the same data folder. Both
replace the file (a new file renamed over the old: ``write_atomic``, vim, most editors), and a watch on
the file alone is lost with the old file's inode. So the folder is watched as well, the file's path is
added again after each change, and a change is recognised by the file's (mtime, size, inode), so the
many other files of the data folder (SQLite journals come and go) cost one ``stat`` each and nothing
more. Events are gathered for ``SETTLE_MS`` (an editor writes in steps), and a slow poll backs the
watch up where file-system notifications are missing (a network folder, inotify watches used up).
Checked with PySide6 6.11.3 on Linux (inotify): a new file, ``write_atomic``'s replace and an in-place
write are each seen about 0.3 s later, and a journal file coming and going is not reported. Windows'
engine (ReadDirectoryChangesW) reports the same folder changes; not tried here, and the poll covers it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

SETTLE_MS = 300
POLL_MS = 2000

Signature = tuple[int, int, int] | None


def signature(path: Path) -> Signature:
    """What tells one version of the file from the next: mtime (ns), size and inode; None when there is no file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


class SettingsWatcher(QObject):
    """Emits ``changed`` once per new version of the file at ``path`` (also when it appears or goes away)."""

    changed = Signal()

    def __init__(self, path: Path, parent: QObject | None = None, *, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._seen = signature(self.path)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._soon)
        self._watcher.directoryChanged.connect(self._soon)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.check)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.check)

    def start(self) -> None:
        """Watch from now on: what the file holds now is the version already read."""
        self._seen = signature(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._watch()
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()
        self._settle.stop()
        for watched in self._watcher.files() + self._watcher.directories():
            self._watcher.removePath(watched)

    def _watch(self) -> None:
        folder = str(self.path.parent)
        if folder not in self._watcher.directories():
            self._watcher.addPath(folder)
        if self.path.exists() and str(self.path) not in self._watcher.files():
            self._watcher.addPath(str(self.path))  # again after a replace: the old inode's watch went with it

    def _soon(self, _path: str = "") -> None:
        self._settle.start()  # restarts: the last of a burst of events counts

    def check(self) -> bool:
        """Emit ``changed`` if the file is not the version last seen; True when it was new."""
        if not self._poll.isActive():
            return False  # stopped
        self._watch()
        current = signature(self.path)
        if current == self._seen:
            return False
        self._seen = current
        self.changed.emit()
        return True
