"""One way to replace a file so that a crash, a power cut or a full disk never leaves half of it.

The kiosk writes settings, credentials, the trust root, printouts, attachments, the demo county and
(in the publisher) feed metadata, bundles and keys. Each must be either the old file or the whole new
one. The recipe, in one place: a temporary file in the *same folder* (``os.replace`` is atomic only
within one file system), written, flushed and ``fsync``-ed, then renamed over the target, then the
folder ``fsync``-ed so the rename itself survives a power cut (POSIX: a rename is durable only once
its directory is synced). On any failure — including a check the caller makes before the rename,
such as a blob's hash — the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_writer(path: Path, *, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary stream whose content replaces ``path`` when the block ends without an exception.

    ``mode`` is the new file's permission bits, set on the temporary file before anything is written
    (``0o600`` for a private key is never readable by others, not even for a moment). ``stream.name``
    is the temporary file's path, for a caller that checks what it wrote before it is renamed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, mode)
        os.close(handle)
        with open(temporary, "wb") as stream:  # opened by name, so ``stream.name`` is the path, not a descriptor
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8), all or nothing; returns ``path``."""
    with atomic_writer(path, mode=mode) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def fsync_folder(folder: Path) -> None:
    """Make a rename inside ``folder`` durable; a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the rename itself is still atomic
    finally:
        os.close(descriptor)
