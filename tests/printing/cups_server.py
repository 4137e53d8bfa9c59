"""A private cupsd, cups-pdf queues and a simulated IPP printer for tests, all on 127.0.0.1.

Nothing touches the system's CUPS: cupsd gets its own ServerRoot, spool, cache, state and logs in a
temporary directory and listens on a free loopback port. Two things had to be found out:

- cups-pdf reads ``/etc/cups/cups-pdf-<NAME>.conf`` (the path is compiled in) for a queue whose device
  URI is ``cups-pdf:/<NAME>``, so each test queue gets a uniquely named conf there that sends output
  (``Out``), its spool and its log to the temporary directory; the conf is removed at teardown.
  Output files are named ``<title>-job_<id>.pdf`` (the PPD's default ``Label 2``).
- ippeveprinter (CUPS 2.4.2, built with Avahi) exits with "Unable to initialize DNS-SD" when there is
  no D-Bus system bus, even with ``-r off``; a private ``dbus-daemon`` on a socket in the temporary
  directory, passed as ``DBUS_SYSTEM_BUS_ADDRESS``, is enough (no avahi-daemon is needed). With
  ``-n localhost`` it listens on 127.0.0.1 and ::1 only (``-n 127.0.0.1`` fails to open its IPv6 socket).
  Its tray levels are set with a GET on ``/media`` (its test web form): a tray at 0 sheets makes it
  report ``media-empty`` and hold jobs until paper is "loaded" again.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
CUPS_PDF_BACKEND = "/usr/lib/cups/backend/cups-pdf"
CUPS_PDF_PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"
CUPS_PDF_CONF_DIR = Path("/etc/cups")
CUPS_PDF_CONF_PREFIX = "cups-pdf-kiosktest"
IPPEVEPRINTER = "/usr/sbin/ippeveprinter"
DBUS_DAEMON = "/usr/bin/dbus-daemon"
TOOLS = ("lp", "lpadmin", "lpstat", "cancel", "cupsenable", "cupsdisable", "ipptool")

# ippeveprinter's default media sources are auto, main, manual, by-pass-tray; the /media form
# takes size<i>/level<i> per source index and ignores auto and manual.
_TRAYS = {1: 250, 3: 25}


def missing_binaries() -> list[str]:
    """What this machine lacks to run the CUPS tests (empty when everything is there)."""
    missing = [p for p in (CUPSD, CUPS_PDF_BACKEND, CUPS_PDF_PPD, IPPEVEPRINTER, DBUS_DAEMON) if not Path(p).exists()]
    missing += [t for t in TOOLS if shutil.which(t) is None]
    return missing


def _die_with_parent() -> None:
    """Runs in each child before exec: if pytest is killed outright, the kernel stops the child too."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float, what: str, log: Path | None = None) -> None:
    """Wait until something accepts connections on 127.0.0.1:port, or fail with the process's output."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    output = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start on port {port} (exit code {proc.poll()}): {output}")


def _stop(proc: subprocess.Popen[bytes] | None, timeout_s: float = 5.0) -> None:
    """Terminate a process we started, then its process group (cupsd's filters, ippeveprinter's commands)."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout_s)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # started with start_new_session, so the group id is its pid


def _run(args: list[str], timeout_s: float = 10.0) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, env={**os.environ, "LC_ALL": "C", "LANG": "C"}, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()} {proc.stdout.strip()}")
    return proc


@dataclass
class PdfQueue:
    """A cups-pdf queue whose PDFs land in ``out_dir``."""

    name: str
    out_dir: Path
    conf: Path

    def output_for(self, job_id: str, timeout_s: float = 5.0) -> Path:
        """The PDF cups-pdf wrote for a job (it names files ``<title>-job_<id>.pdf``)."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = sorted(self.out_dir.glob(f"*job_{job_id}.pdf"))
            if found and found[0].stat().st_size > 0:
                return found[0]
            if time.monotonic() >= deadline:
                raise FileNotFoundError(f"no output for job {job_id} in {self.out_dir}: {sorted(p.name for p in self.out_dir.iterdir())}")
            time.sleep(0.05)


@dataclass
class DBusBus:
    """A private D-Bus bus: ippeveprinter needs one to start its (unused) DNS-SD client."""

    address: str
    proc: subprocess.Popen[bytes]

    @classmethod
    def start(cls, base: Path) -> DBusBus:
        sock = base / "dbus.sock"
        proc = subprocess.Popen(
            [DBUS_DAEMON, "--session", "--nofork", "--nopidfile", f"--address=unix:path={sock}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + 5
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(proc)
                raise RuntimeError("dbus-daemon did not start")
            time.sleep(0.02)
        return cls(f"unix:path={sock}", proc)

    def stop(self) -> None:
        _stop(self.proc)


@dataclass
class SimPrinter:
    """An ippeveprinter on 127.0.0.1 whose paper trays tests can empty and refill."""

    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def uri(self) -> str:
        return f"ipp://127.0.0.1:{self.port}/ipp/print"

    @classmethod
    def start(cls, base: Path, bus: DBusBus, name: str = "kiosk-sim", command: str = "/bin/true") -> SimPrinter:
        spool = base / f"ipp-{uuid.uuid4().hex[:8]}"
        spool.mkdir()
        log = spool / "ippeveprinter.log"
        for _attempt in range(3):
            port = free_port()
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [IPPEVEPRINTER, "-p", str(port), "-n", "localhost", "-r", "off", "-d", str(spool), "-c", command,
                     "-f", "application/pdf,image/pwg-raster,image/urf", "-v", name],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
                    env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": bus.address},
                )
            try:
                _wait_port(port, proc, 10, "ippeveprinter", log)
            except RuntimeError:
                _stop(proc)
                if "Address already in use" not in log.read_text(errors="replace"):
                    raise
                continue
            return cls(port, proc, log)
        raise RuntimeError("ippeveprinter: no free port")

    def _set_trays(self, levels: dict[int, int]) -> None:
        query = "&".join(f"size{i}=iso_a4_210x297mm&level{i}={sheets}" for i, sheets in levels.items())
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/media?{query}", timeout=5) as resp:
            resp.read()

    def set_media_empty(self) -> None:
        """Every tray at 0 sheets: the printer reports media-empty and holds jobs until refilled."""
        self._set_trays(dict.fromkeys(_TRAYS, 0))

    def set_media_ready(self) -> None:
        self._set_trays(_TRAYS)

    def wait_idle(self, timeout_s: float = 10.0) -> None:
        """Wait until the printer has no active job.

        It takes one job at a time and answers others with server-error-busy, on which the CUPS ipp
        backend retries only after about 10 s; a job held for paper must finish before the next test step.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            proc = subprocess.run(
                ["ipptool", "-T", "2", "-tv", self.uri, "get-printer-attributes.test"], capture_output=True, text=True, timeout=5, check=False
            )
            if "printer-state (enum) = idle" in proc.stdout:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.uri} still busy")
            time.sleep(0.1)

    def stop(self) -> None:
        _stop(self.proc)


@dataclass
class CupsServer:
    """A private cupsd with its own ServerRoot in ``root``."""

    root: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    _confs: list[Path] = field(default_factory=list)

    @property
    def server(self) -> str:
        """The value for ``lp -h`` and ``CupsBackend(server=...)``."""
        return f"127.0.0.1:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.root / "log" / "error_log"

    @classmethod
    def start(cls, base: Path | None = None) -> CupsServer:
        """Start cupsd in the foreground on a free port; raises with its log if it does not answer."""
        base = Path(tempfile.mkdtemp(prefix="kiosk-cups-", dir=base))
        # Filters run as user lp: it must be able to reach the ServerRoot and write TempDir.
        base.chmod(0o755)
        for sub in ("spool", "cache", "state", "log", "ppd"):
            (base / sub).mkdir()
        tmp = base / "tmp"
        tmp.mkdir()
        shutil.chown(tmp, "root", "lp")
        tmp.chmod(0o1770)
        last_error: Exception | None = None
        for _attempt in range(3):
            server = cls(base, free_port())
            server._write_config()
            try:
                server._launch()
            except RuntimeError as exc:
                last_error = exc
                if "Address already in use" not in str(exc):
                    break
                continue
            return server
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"cupsd did not start: {last_error}")

    def _write_config(self) -> None:
        (self.root / "cupsd.conf").write_text(
            f"""LogLevel info
Listen 127.0.0.1:{self.port}
Browsing No
BrowseLocalProtocols none
DefaultShared No
WebInterface No
DefaultAuthType None
ErrorPolicy abort-job
PreserveJobHistory Yes
MaxJobs 500
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
    Allow all
  </Limit>
</Policy>
"""
        )
        r = self.root
        (self.root / "cups-files.conf").write_text(
            f"""ServerRoot {r}
RequestRoot {r}/spool
CacheDir {r}/cache
StateDir {r}/state
TempDir {r}/tmp
ErrorLog {r}/log/error_log
AccessLog {r}/log/access_log
PageLog {r}/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
User lp
Group lp
SystemGroup root
FileDevice No
"""
        )

    def _launch(self) -> None:
        self.proc = subprocess.Popen(
            [CUPSD, "-f", "-c", str(self.root / "cupsd.conf"), "-s", str(self.root / "cups-files.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent,
        )
        try:
            _wait_port(self.port, self.proc, 10, "cupsd", self.error_log)
            deadline = time.monotonic() + 10
            while subprocess.run(["lpstat", "-h", self.server, "-r"], capture_output=True, timeout=5, check=False).returncode != 0:
                if time.monotonic() > deadline:
                    raise RuntimeError("cupsd accepts connections but does not answer lpstat")
                time.sleep(0.05)
        except BaseException:
            _stop(self.proc)
            self.proc = None
            raise

    def stop(self) -> None:
        """Stop cupsd (and whatever filters it still runs), remove our cups-pdf confs and the temp dir."""
        try:
            _stop(self.proc)
        finally:
            self.proc = None
            for conf in self._confs:
                conf.unlink(missing_ok=True)
            self._confs.clear()
            shutil.rmtree(self.root, ignore_errors=True)

    def lpadmin(self, *args: str) -> None:
        _run(["lpadmin", "-h", self.server, *args])

    def add_pdf_queue(self, name: str) -> PdfQueue:
        """A cups-pdf queue writing into a fresh directory under the server's root."""
        tag = f"{name}-{uuid.uuid4().hex[:8]}"
        out_dir = self.root / f"pdf-{tag}"
        for sub in ("", "spool", "log"):
            (out_dir / sub).mkdir(exist_ok=True)
        conf = CUPS_PDF_CONF_DIR / f"{CUPS_PDF_CONF_PREFIX}-{tag}.conf"
        self._confs.append(conf)
        conf.write_text(f"Out {out_dir}\nAnonDirName {out_dir}\nSpool {out_dir / 'spool'}\nLog {out_dir / 'log'}\nLogType 3\n")
        self.lpadmin("-p", name, "-E", "-v", f"cups-pdf:/kiosktest-{tag}", "-P", CUPS_PDF_PPD)
        return PdfQueue(name, out_dir, conf)

    def add_ipp_queue(self, name: str, printer: SimPrinter) -> str:
        """An IPP Everywhere queue for the simulated printer (lpadmin asks the printer for its capabilities)."""
        self.lpadmin("-p", name, "-E", "-v", printer.uri, "-m", "everywhere")
        return name

    def remove_queue(self, name: str) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            _run(["lpadmin", "-h", self.server, "-x", name])


def remove_stale_confs() -> None:
    """Drop cups-pdf confs left by a test run that was killed before its teardown."""
    for conf in CUPS_PDF_CONF_DIR.glob(f"{CUPS_PDF_CONF_PREFIX}-*.conf"):
        if time.time() - conf.stat().st_mtime > 3600:
            conf.unlink(missing_ok=True)
