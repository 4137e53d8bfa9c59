"""Fixtures for the sync tests: a real nginx serving a feed directory, a fault proxy in front of it, a tiny disk."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import running_from
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.portal.conftest import portal_server  # noqa: F401  (the reference portal fixture, for the whole-loop tests)
from tests.sync.faultproxy import FaultProxy
from tests.sync.feed_support import FeedFixture, make_source
from tests.sync.nginx import NGINX_BIN, NginxServer

TINY_DISK_BYTES = 4 * 1024 * 1024


@pytest.fixture
def nginx_root(tmp_path: Path) -> Path:
    """The directory nginx serves at /feed/ (empty; tests write metadata/, targets/, blobs/ into it)."""
    root = tmp_path / "www"
    root.mkdir()
    return root


@pytest.fixture
def nginx(nginx_root: Path, tmp_path: Path) -> Iterator[NginxServer]:
    """A started nginx serving `nginx_root` at `nginx.base_url` (http://127.0.0.1:PORT/feed); stopped at teardown."""
    if not NGINX_BIN.exists():
        pytest.skip(f"{NGINX_BIN} is missing (install the Debian package nginx-light)")
    server = NginxServer(nginx_root, tmp_path / "nginx")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fault_proxy(nginx: NginxServer) -> Iterator[FaultProxy]:
    """A FaultProxy in front of nginx's origin: `fault_proxy.base_url + "/feed/..."` reaches nginx."""
    with FaultProxy(nginx.origin) as proxy:
        yield proxy


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A mounted 4 MiB tmpfs (a real ENOSPC), unmounted at teardown; skips where mounting is not permitted."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None:
        pytest.skip("no mount/umount binary: cannot create a tiny tmpfs")
    where = tmp_path / "tiny"
    where.mkdir()
    done = subprocess.run([mount, "-t", "tmpfs", "-o", f"size={TINY_DISK_BYTES},mode=0755", "tmpfs", str(where)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        if subprocess.run([umount, str(where)], capture_output=True, check=False).returncode != 0:
            subprocess.run([umount, "-l", str(where)], capture_output=True, check=False)


@pytest.fixture
def feed(nginx_root: Path, tmp_path: Path) -> FeedFixture:
    """A signed feed of the small demo-like source, published into the nginx root (tests/sync/feed_support.py)."""
    fixture = FeedFixture(nginx_root, tmp_path / "keys", make_source(tmp_path / "source"))
    fixture.build()
    return fixture


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A fresh terminal at the tests' instant (the demo notices' day; TUF checks the system clock)."""
    with Terminal(tmp_path / "terminal", running_from(TEST_NOW)) as term:
        yield term
