"""Print through CUPS with its command-line tools (``lp``, ``cancel``, ``ipptool``), never hanging.

pycups needs compiling, so this backend drives the stock CUPS tools; every call has a timeout and
every wait is bounded by the caller's ``timeout_s``. ``ipptool -X`` gives the IPP answers as a plist,
which parses reliably (``lpstat`` output is localised and does not list printer-state-reasons).

Facts this relies on (checked against CUPS 2.4.2, cups-filters 1.28, cups-pdf 3.0.1, ippeveprinter):

- ``-o media=Custom.80x120mm`` makes CUPS emit an 80x120 mm page. Without it a receipt is centred on
  the queue's default A4; with ``fit-to-page`` it is blown up to fill A4. ``print-scaling=auto`` (the
  default, set explicitly so a queue default of ``fit`` cannot apply) leaves a page that fits untouched
  and only shrinks one that does not.
- A queue learns a device's state only while its backend runs a job, and keeps the last reasons
  after a job is cancelled (``media-empty-warning`` stays on an idle queue after the paper is refilled).
  For ``ipp://``/``ipps://`` devices the backend therefore also asks the device itself, whose answer is
  current, and uses the queue only for reasons about the queue (paused, cups-*).
- ``completed`` means CUPS handed the job on: for IPP devices it waits until the device reports the job
  completed; for USB and socket printers it only means every byte was sent.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from printing.backend import JobResult, Media, PrinterError, PrinterStatus
from printing.reasons import is_queue_level, status_from_reasons, unavailable

PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}
JOB_STATES = {3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "canceled", 8: "aborted", 9: "completed"}

_PRINTER_TEST = """{
  NAME "printer"
  OPERATION Get-Printer-Attributes
  VERSION 2.0
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $user
  ATTR keyword requested-attributes printer-state,printer-state-reasons,printer-is-accepting-jobs,printer-state-message,device-uri
  STATUS successful-ok
}
"""

_JOB_TEST = """{
  NAME "job"
  OPERATION Get-Job-Attributes
  VERSION 2.0
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job_id
  ATTR name requesting-user-name $user
  ATTR keyword requested-attributes job-state,job-state-reasons,job-state-message
  STATUS successful-ok
}
"""

_LP_JOB_ID = re.compile(r"request id is (?P<dest>\S+)-(?P<id>\d+)")

class _Unreachable(Exception):
    """ipptool got no IPP answer at all (server down, tool missing, timeout)."""


@dataclass(frozen=True)
class _Answer:
    """One IPP response: its status code and merged attribute groups."""

    status_code: str
    attrs: dict[str, Any]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _env() -> dict[str, str]:
    """The C locale keeps ``lp``'s "request id is ..." line parseable."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


def _ipptool(uri: str, test: str, timeout_s: float, variables: dict[str, str] | None = None) -> list[_Answer]:
    """Run ipptool with ``test`` (the request file's text) and return an answer per test, or raise :class:`_Unreachable`.

    The request goes in on stdin as ``/dev/stdin``, so no file is left behind if the kiosk is killed;
    ``-I`` runs every test even when one fails, so answers line up with tests.
    """
    args = ["ipptool", "-X", "-I", "-T", str(max(1, round(timeout_s)))]
    for key, value in (variables or {}).items():
        args += ["-d", f"{key}={value}"]
    args += [uri, "/dev/stdin"]
    try:
        proc = subprocess.run(args, input=test.encode(), capture_output=True, timeout=timeout_s + 1, env=_env(), check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _Unreachable(f"ipptool {uri}: {exc}") from exc
    xml = proc.stdout
    end = xml.find(b"</plist>")  # a summary follows the plist when a file holds several tests
    if end < 0:
        raise _Unreachable(f"ipptool {uri}: no answer ({proc.stderr.decode(errors='replace').strip()})")
    try:
        report = plistlib.loads(xml[: end + len(b"</plist>")])
    except Exception as exc:  # plistlib raises several expat/value errors
        raise _Unreachable(f"ipptool {uri}: unreadable answer ({exc})") from exc
    tests = report.get("Tests") or []
    if not tests:
        raise _Unreachable(f"ipptool {uri}: {report.get('ErrorMessage') or proc.stderr.decode(errors='replace').strip()}")
    answers = []
    for test_report in tests:
        attrs: dict[str, Any] = {}
        for group in test_report.get("ResponseAttributes") or []:
            attrs.update(group)
        answers.append(_Answer(str(test_report.get("StatusCode", "")), attrs))
    return answers


def _server_hostport(server: str | None) -> tuple[str, str | None]:
    """(host:port for IPP URIs, value for ``-h`` or None to let lp use its own default)."""
    chosen = server or os.environ.get("CUPS_SERVER") or ""
    if not chosen or chosen.startswith("/"):
        return "localhost:631", server  # a domain socket has no URI form; cupsd also listens on localhost
    hostport = chosen if re.search(r":\d+$", chosen) else f"{chosen}:631"
    return hostport, server


class CupsBackend:
    """A CUPS queue, reached with the CUPS command-line tools."""

    name = "cups"

    def __init__(
        self,
        queue: str,
        server: str | None = None,
        poll_s: float = 0.5,
        *,
        probe_device: bool = True,
        command_timeout_s: float = 5.0,
        probe_timeout_s: float = 3.0,
    ) -> None:
        self.queue = queue
        self.server = server
        self.poll_s = poll_s
        self.probe_device = probe_device
        self.command_timeout_s = command_timeout_s
        self.probe_timeout_s = probe_timeout_s
        self._hostport, self._h = _server_hostport(server)
        self.printer_uri = f"ipp://{self._hostport}/printers/{quote(queue, safe='')}"

    # -- status -------------------------------------------------------------------------------

    def status(self) -> PrinterStatus:
        """The queue's state merged with its device's own answer; never raises."""
        try:
            (answer,) = _ipptool(self.printer_uri, _PRINTER_TEST, self.command_timeout_s)
        except _Unreachable as exc:
            return unavailable(self.queue, f"CUPS server {self._hostport} unreachable: {exc}")
        except Exception as exc:  # never let a status check take the kiosk down
            return unavailable(self.queue, f"status check failed: {exc!r}")
        return self._evaluate(answer)

    def _evaluate(self, answer: _Answer) -> PrinterStatus:
        """Turn a Get-Printer-Attributes answer (plus a device probe) into a status."""
        if not answer.status_code.startswith("successful"):
            message = answer.attrs.get("status-message", "")
            return unavailable(self.queue, f"CUPS {self._hostport} answered {answer.status_code} {message}".strip())
        attrs = answer.attrs
        state = PRINTER_STATES.get(_int(attrs.get("printer-state"), 5), "stopped")
        accepting = bool(attrs.get("printer-is-accepting-jobs", True))
        reasons = [r for r in _as_list(attrs.get("printer-state-reasons")) if r != "none"]
        device = self._probe(str(attrs.get("device-uri", ""))) if self.probe_device else None
        if device is not None:
            if device.get("unreachable"):
                reasons.append("offline-report")
            else:
                # The queue's copy of device reasons can be stale; the device's own answer is current.
                reasons = [r for r in reasons if is_queue_level(r)]
                reasons += [r for r in _as_list(device.get("printer-state-reasons")) if r != "none"]
                if PRINTER_STATES.get(_int(device.get("printer-state"), 3)) == "stopped":
                    state = "stopped"
                accepting = accepting and bool(device.get("printer-is-accepting-jobs", True))
        return status_from_reasons(self.queue, reasons, accepting=accepting, state=state)

    def _probe(self, device_uri: str) -> dict[str, Any] | None:
        """Ask an IPP device directly; None when it is not an IPP device (USB, socket, cups-pdf...)."""
        parts = urlsplit(device_uri)
        if parts.scheme not in ("ipp", "ipps") or not parts.hostname:
            return None
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port:
            netloc += f":{parts.port}"
        uri = urlunsplit((parts.scheme, netloc, parts.path, "", ""))  # drop credentials and backend options
        try:
            (answer,) = _ipptool(uri, _PRINTER_TEST, self.probe_timeout_s)
        except _Unreachable:
            return {"unreachable": True}
        if not answer.status_code.startswith("successful"):
            return {"unreachable": True}
        return answer.attrs

    # -- printing -----------------------------------------------------------------------------

    def print_pdf(self, pdf: Path, media: Media, title: str, timeout_s: float) -> JobResult:
        """Submit ``pdf`` with ``lp`` and follow the job until it ends, the printer stops, or time runs out.

        A job the printer cannot print (no paper, jam, stopped queue) is cancelled rather than left to
        print later, when the person who asked for it may have gone and someone else could take it.
        """
        deadline = time.monotonic() + timeout_s
        before = self.status()
        if not before.ready:
            raise PrinterError(before)
        if not pdf.is_file():
            return JobResult(done=False, state="refused", status=before, detail=f"no such file: {pdf}")

        args = ["lp", *self._host_args(), "-d", self.queue, "-o", f"media={media.cups_media()}", "-o", "print-scaling=auto"]
        if title:
            args += ["-t", title]
        args += ["--", str(pdf)]
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=self._remaining(deadline), env=_env(), check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return JobResult(done=False, state="refused", status=unavailable(self.queue, f"lp failed: {exc}"), detail=str(exc))
        match = _LP_JOB_ID.search(proc.stdout)
        if proc.returncode != 0 or match is None:
            detail = (proc.stderr or proc.stdout).strip()
            now = self.status()
            status = now if not now.ready else unavailable(self.queue, f"lp refused the job: {detail}")
            return JobResult(done=False, state="refused", status=status, detail=detail)
        return self._follow(match.group("id"), deadline)

    def _follow(self, job_id: str, deadline: float) -> JobResult:
        """Poll the job and the printer until the job ends; bounded by ``deadline``."""
        status = PrinterStatus(ready=True)
        detail = ""
        pause = min(0.05, self.poll_s)  # a receipt is done in ~0.3 s: look soon, then back off to poll_s
        while True:
            try:
                job, printer = _ipptool(self.printer_uri, _JOB_TEST + _PRINTER_TEST, self._remaining(deadline), {"job_id": job_id})
            except (_Unreachable, ValueError) as exc:
                status, detail = unavailable(self.queue, f"lost CUPS while following job {job_id}: {exc}"), str(exc)
            else:
                state = JOB_STATES.get(_int(job.attrs.get("job-state"), 0), "")
                detail = f"job {job_id} {state}: {', '.join(_as_list(job.attrs.get('job-state-reasons')))} {job.attrs.get('job-state-message', '')}".strip()
                status = self._evaluate(printer)
                if state == "completed":
                    return JobResult(done=True, job_id=job_id, state="completed", status=status, detail=detail)
                if state in ("canceled", "aborted"):
                    if status.ready:
                        status = unavailable(self.queue, detail)
                    return JobResult(done=False, job_id=job_id, state=state, status=status, detail=detail)
                if not status.ready or state == "stopped":
                    if status.ready:
                        status = unavailable(self.queue, detail)
                    self._cancel(job_id)
                    return JobResult(done=False, job_id=job_id, state="aborted", status=status, detail=f"{detail}; cancelled by kiosk")
            if time.monotonic() >= deadline:
                self._cancel(job_id)
                if status.ready:
                    status = unavailable(self.queue, f"job {job_id} did not finish in time")
                return JobResult(done=False, job_id=job_id, state="timeout", status=status, detail=f"{detail}; cancelled after timeout")
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, self.poll_s)

    def _cancel(self, job_id: str) -> None:
        """Best effort: a job we gave up on must not print later for somebody else to pick up."""
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(["cancel", *self._host_args(), job_id], capture_output=True, timeout=self.command_timeout_s, env=_env(), check=False)

    def _host_args(self) -> list[str]:
        return ["-h", self._h] if self._h else []

    def _remaining(self, deadline: float) -> float:
        """Time left for one command: at least a second, so a short timeout cannot starve ``lp``."""
        return max(1.0, min(self.command_timeout_s, deadline - time.monotonic()))
