"""A private PostgreSQL cluster for a test session: its own data folder, 127.0.0.1 only, a free port.

Nothing is shared with a system PostgreSQL: `initdb` makes a throwaway cluster in a temporary
folder, the server listens on 127.0.0.1 and a unix socket inside that folder, and `stop()` shuts
it down (`pg_ctl stop -m fast`, bounded) and deletes the folder. PostgreSQL refuses to run as
root, so as root the server programs run as the `postgres` OS user (via runuser) and the folder
is handed to that user; the test process itself only talks to the server over TCP with trust
authentication.

The server is started as this process's own child (not daemonised by `pg_ctl start`), so it is
reaped here when it stops even where PID 1 does not reap orphans (containers).

`start_postgres()` raises `PostgresUnavailable` with the reason when the binaries are missing or
the server will not start; the fixture turns that into a skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "kiosk"
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0
RUN_AS_WHEN_ROOT = "postgres"
# fsync off and no synchronous commit: a test cluster is thrown away, so durability only costs time.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "log_min_messages": "warning",
}


class PostgresUnavailable(Exception):
    """Why no private PostgreSQL could be started (missing binaries, no user to run as, start failed)."""


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin (Debian layout) with initdb and pg_ctl, else the PATH's."""
    programs = ("initdb", "pg_ctl", "postgres", "pg_isready", "createdb")
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: _version_key(Path(path).parent.name), reverse=True)
    for folder in candidates:
        if all((Path(folder) / program).is_file() for program in programs):
            return Path(folder)
    found = [shutil.which(program) for program in programs]
    if all(found) and len({Path(path).parent for path in found if path}) == 1:
        return Path(str(found[0])).parent
    return None


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit()) or (0,)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env() -> dict[str, str]:
    """The environment without PG* variables (a developer's PGDATA or PGHOST must not leak in)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


@dataclass
class PostgresServer:
    """A private cluster; `url(dbname)` is what the portal's --db takes."""

    bin_dir: Path
    base_dir: Path
    run_as: str | None  # OS user the server programs run as (None: the current user)
    dbname: str = "portal"
    port: int = 0
    startup_seconds: float = 0.0  # initdb to accepting connections, for the test report
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir / "run"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    def url(self, dbname: str | None = None) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname or self.dbname}"

    def command(self, program: str, *args: str, as_owner: bool = True) -> list[str]:
        """A PostgreSQL program; server programs (initdb, postgres, pg_ctl) run as the cluster's owner."""
        command = [str(self.bin_dir / program), *args]
        return ["runuser", "-u", self.run_as, "--", *command] if as_owner and self.run_as else command

    def run(self, program: str, *args: str, timeout: float = 30, as_owner: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(program, *args, as_owner=as_owner), cwd=self.base_dir, env=_clean_env(),
                              capture_output=True, text=True, timeout=timeout, check=False)

    def chown(self, path: Path) -> None:
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def initdb(self) -> None:
        result = self.run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-E", "UTF8", "--locale=C", "--no-sync", "--auth=trust",
                          timeout=60)
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
        hba = self.data_dir / "pg_hba.conf"
        hba.write_text("# private test cluster: trust on its own unix socket and on 127.0.0.1 only\n"
                       "local all all trust\n"
                       "host  all all 127.0.0.1/32 trust\n")
        self.chown(hba)
        self.socket_dir.mkdir(mode=0o700)
        self.chown(self.socket_dir)

    def start(self, port: int) -> None:
        """Start `postgres` as our child on `port` and wait until it accepts connections."""
        self.port = port
        settings = {**SERVER_SETTINGS, "port": str(port), "unix_socket_directories": f"'{self.socket_dir}'"}
        auto_conf = self.data_dir / "postgresql.auto.conf"
        auto_conf.write_text("# written by tests/portal/postgres_server.py\n" + "".join(f"{name} = {value}\n" for name, value in settings.items()))
        self.chown(auto_conf)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(self.command("postgres", "-D", str(self.data_dir)), cwd=self.base_dir, env=_clean_env(),
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                raise PostgresUnavailable(f"postgres exited with {code} while starting:\n{self.log_tail()}")
            ready = self.run("pg_isready", "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-t", "1", timeout=5, as_owner=False)
            if ready.returncode == 0:
                return
            time.sleep(0.05)
        raise PostgresUnavailable(f"postgres did not accept connections within {START_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    def create_database(self, dbname: str) -> str:
        """A new empty database owned by the superuser; its URL."""
        result = self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, dbname, as_owner=False)
        if result.returncode != 0:
            raise PostgresUnavailable(f"createdb {dbname} failed: {result.stderr.strip()}")
        return self.url(dbname)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """`pg_ctl stop -m fast` (bounded), then SIGQUIT and SIGKILL to our own postmaster if it hangs; the folder goes."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if self.process is not None and self.process.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", str(int(STOP_TIMEOUT_S)),
                             timeout=STOP_TIMEOUT_S + 5)
                for sig in (signal.SIGQUIT, signal.SIGKILL):  # immediate shutdown, then no shutdown at all
                    try:
                        self.process.wait(timeout=STOP_TIMEOUT_S / 2)
                        break
                    except subprocess.TimeoutExpired:
                        pid = self.postmaster_pid()  # the postgres we started (runuser's child when run as root)
                        with contextlib.suppress(ProcessLookupError, PermissionError):
                            os.kill(pid or self.process.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=STOP_TIMEOUT_S / 2)
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres(dbname: str = "portal", attempts: int = 3) -> PostgresServer:
    """initdb, start on 127.0.0.1 (a fresh free port per attempt if the port was taken meanwhile), createdb `dbname`."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("no PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_isready, createdb) in "
                                  "/usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql, or run scripts/setup-system.sh)")
    run_as: str | None = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root and no runuser: PostgreSQL will not run as root")
        try:
            pwd.getpwnam(RUN_AS_WHEN_ROOT)
        except KeyError:
            raise PostgresUnavailable(f"running as root and there is no '{RUN_AS_WHEN_ROOT}' OS user to run PostgreSQL as") from None
        run_as = RUN_AS_WHEN_ROOT

    started = time.monotonic()
    base_dir = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))  # under /tmp, so the postgres user can reach it
    server = PostgresServer(bin_dir=bin_dir, base_dir=base_dir, run_as=run_as, dbname=dbname)
    try:
        server.chown(base_dir)
        server.initdb()
        for attempt in range(attempts):
            try:
                server.start(free_port())
                break
            except PostgresUnavailable:
                log = server.log_tail()
                if attempt + 1 == attempts or not ("could not bind" in log or "already in use" in log):
                    raise  # not a port race: another port will not help
        server.create_database(dbname)
        server.startup_seconds = time.monotonic() - started
        return server
    except BaseException:
        server.stop()
        raise
