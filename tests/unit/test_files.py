"""kiosk/files.py: one atomic write, with fsync, used everywhere a file is replaced.

Real files, and a real process killed with SIGKILL in the middle of a write.
"""

from __future__ import annotations

import ast
import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kiosk.files import atomic_writer, write_atomic
from tests.helpers.paths import ROOT

PACKAGES = ("kiosk", "sync", "printing", "app", "ui")
#: Renames that are not "write a new version of a file", each with its reason.
ALLOWED_RENAMES = {
    "kiosk/files.py": "the one atomic write",
    "sync/blobfetch.py": "a resumable download: the .part survives between runs, so it cannot be a temporary file",
    "sync/publish/keys.py": "moves a retired key aside, it writes nothing",
}


def test_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "folder" / "settings.json"  # the folder is made
    write_atomic(target, "旧")
    write_atomic(target, "新的内容")
    assert target.read_text(encoding="utf-8") == "新的内容"
    assert [p.name for p in target.parent.iterdir()] == ["settings.json"]


def test_mode_is_set_before_anything_is_written(tmp_path: Path) -> None:
    target = tmp_path / "key.pem"
    with atomic_writer(target, mode=0o600) as stream:
        assert Path(stream.name).parent == tmp_path and Path(stream.name).stat().st_mode & 0o777 == 0o600
        stream.write(b"secret")
    assert target.stat().st_mode & 0o777 == 0o600
    assert write_atomic(tmp_path / "public.json", b"{}").stat().st_mode & 0o777 == 0o644


def test_a_failure_before_the_rename_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "blob"
    target.write_bytes(b"old")
    with pytest.raises(ValueError, match="hash"), atomic_writer(target) as stream:
        stream.write(b"new but wrong")
        raise ValueError("hash does not match")  # what BlobStore.add_file does on a bad copy
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["blob"]


def test_a_full_disk_at_fsync_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_the_file_and_its_folder_are_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    write_atomic(tmp_path / "a", b"x")
    assert len(synced) == 2  # the data, then the rename


def test_kiosk_print_to_file_fsyncs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `kiosk print --to-file` path had no fsync; it goes through write_atomic now."""
    from app.print_command import _save
    from printing.backend import A4
    from printing.pdf import RenderedPdf

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    pdf = RenderedPdf(data=b"%PDF-1.4 test", pages=1, media=A4, title="t")
    _save(pdf, tmp_path / "print" / "x.pdf")
    assert (tmp_path / "print" / "x.pdf").read_bytes() == b"%PDF-1.4 test" and len(synced) == 2


def test_kill_9_in_the_middle_of_a_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text("old", encoding="utf-8")
    started = tmp_path / "started"
    writer = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from kiosk.files import atomic_writer
        with atomic_writer(Path({str(target)!r})) as stream:
            stream.write(b"half")
            stream.flush()
            Path({str(started)!r}).touch()
            time.sleep(60)
            stream.write(b" and the rest")
    """)
    process = subprocess.Popen([sys.executable, "-c", writer], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert target.read_text(encoding="utf-8") == "old"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".settings.json.")]
    assert len(leftovers) == 1  # a hidden temporary, never under the real name
    write_atomic(target, "new")  # and the next write still works
    assert target.read_text(encoding="utf-8") == "new"


def renames(path: Path) -> list[int]:
    """Lines calling os.replace / os.rename / Path.replace / Path.rename / tempfile.mkstemp."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            by_os = isinstance(owner, ast.Name) and owner.id == "os"
            # Path.replace(target) takes one argument; str.replace takes two, datetime.replace keywords
            by_path = len(node.args) == 1 and not node.keywords and not isinstance(owner, ast.Constant)
            if name == "mkstemp" or (name in ("replace", "rename") and (by_os or by_path)):
                found.append(node.lineno)
    return found


def test_files_are_replaced_only_through_write_atomic() -> None:
    stray = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in ALLOWED_RENAMES:
                stray += [f"{relative}:{line}" for line in renames(path)]
    assert stray == []


def test_the_rename_checker_would_catch_a_hand_written_copy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os, tempfile\nh, t = tempfile.mkstemp()\nos.replace(t, 'x')\nPath(t).replace(target)\n'a'.replace('a', 'b')\n")
    assert renames(bad) == [2, 3, 4]
