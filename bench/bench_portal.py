"""Portal inbox benchmark: many terminals delivering their outboxes at the same moment.

A county portal sees bursts: every terminal comes back online after an outage, or a cron minute
lines their heartbeats up. This starts `kiosk-portal serve` (waitress, 8 threads, SQLite in WAL)
in its own process on 127.0.0.1, enrols 200 terminals, then 200 client threads (one
requests.Session each, started together) each post N inbox items. Beside it, in the same run:
- baseline: the same threads doing N authenticated reads (`GET /api/v1/whoami`: token lookup, no write);
- retries: the same threads re-posting what they already delivered (the answer is 200 duplicate).

The client runs in one Python process on the same machine, so on a small machine it competes
with the server for CPU; the baseline shares that handicap, which is why it is reported beside.

Usage: python bench/bench_portal.py [--terminals 200] [--items 20] [--threads 8] [--write-doc]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_store import machine, write_section  # noqa: E402
from sync.portal.models import issue_enrolment_code, load_code_key, open_db  # noqa: E402

REGION = "990121101201"
STAMP = "2026-11-21T09:00:00+08:00"


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    server_cpu_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def summary(self) -> dict[str, Any]:
        return {"phase": self.name, "requests": self.requests, "seconds": round(self.seconds, 2),
                "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(self.quantile(0.50), 1), "p95_ms": round(self.quantile(0.95), 1), "max_ms": round(max(self.latencies_ms, default=0), 1),
                "statuses": dict(sorted(self.statuses.items())), "errors": dict(self.errors),
                "server_cpu_share": round(self.server_cpu_s / self.seconds, 2) if self.seconds else 0.0,
                "server_cpu_ms_per_request": round(self.server_cpu_s * 1000 / self.requests, 2) if self.requests else 0.0}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process so far (Linux /proc), to tell computing from waiting."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(state: Path, feed: Path, threads: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.portal.cli", "--state-dir", str(state), "serve", "--feed", str(feed), "--port", "0", "--threads", str(threads),
         # the bench measures throughput: each terminal posts hundreds of items at once, far past the per-terminal quota
         "--inbox-max-items-per-minute", "1000000", "--inbox-max-mib-per-hour", "100000"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    match = re.search(r"http://[\d.]+:\d+", line)
    if not match:
        process.kill()
        raise SystemExit(f"portal did not start: {line!r}")
    return process, match.group(0)


def enrol(url: str, state: Path, count: int) -> list[str]:
    db = open_db(f"sqlite:///{state / 'portal.sqlite'}")
    codes = [issue_enrolment_code(db, REGION, f"压测终端{i:03d}", code_key=load_code_key(state)) for i in range(count)]
    db.close()
    with requests.Session() as session:
        tokens = []
        for code in codes:
            response = session.post(f"{url}/api/v1/enroll", json={"code": code}, timeout=30)
            response.raise_for_status()
            tokens.append(response.json()["token"])
    return tokens


def run_phase(name: str, tokens: list[str], per_thread: int, request: Callable[[requests.Session, str, int], requests.Response]) -> Phase:
    """All threads open their session, wait at a barrier, then fire `per_thread` requests each."""
    phase = Phase(name)
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens) + 1)

    def worker(token: str) -> None:
        latencies, statuses, errors = [], Counter[int](), Counter[str]()
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            barrier.wait(timeout=60)
            for i in range(per_thread):
                start = time.perf_counter()
                try:
                    statuses[request(session, token, i).status_code] += 1
                except requests.RequestException as exc:
                    errors[type(exc).__name__] += 1
                latencies.append((time.perf_counter() - start) * 1000)
        with lock:
            phase.latencies_ms += latencies
            phase.statuses.update(statuses)
            phase.errors.update(errors)

    threads = [threading.Thread(target=worker, args=(token,), daemon=True) for token in tokens]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    phase.seconds = time.perf_counter() - start
    return phase


def fsync_ms(folder: Path, count: int = 100) -> float:
    """Median time to append 4 KiB and fsync on the database's filesystem: the floor under every commit."""
    path = folder / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    samples = []
    try:
        for _ in range(count):
            os.write(fd, b"x" * 4096)
            start = time.perf_counter()
            os.fsync(fd)
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    return sorted(samples)[count // 2]


def run(terminals: int, items: int, threads: int) -> dict[str, Any]:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as tmp:
        state, feed = Path(tmp) / "state", Path(tmp) / "feed"
        feed.mkdir()
        process, url = start_server(state, feed, threads)
        try:
            started = time.perf_counter()
            tokens = enrol(url, state, terminals)
            enrol_s = time.perf_counter() - started

            def whoami(session: requests.Session, _token: str, _i: int) -> requests.Response:
                return session.get(f"{url}/api/v1/whoami", timeout=60)

            def poster(prefix: str) -> Callable[[requests.Session, str, int], requests.Response]:
                def post(session: requests.Session, token: str, i: int) -> requests.Response:
                    body = {"kind": "usage", "created_at": STAMP, "payload": {"screen": "documents", "opens": i, "searches": 3}, "sealed": None}
                    return session.post(f"{url}/api/v1/inbox", json=body, headers={"Idempotency-Key": f"{prefix}:{token[:8]}:{i:05d}"}, timeout=60)
                return post

            def measured(name: str, phase_tokens: list[str], count: int, request: Callable[..., requests.Response]) -> Phase:
                before = cpu_seconds(process.pid)
                phase = run_phase(name, phase_tokens, count, request)
                phase.server_cpu_s = cpu_seconds(process.pid) - before
                return phase

            baseline = measured("baseline: GET /api/v1/whoami", tokens, items, whoami)
            inbox = measured("POST /api/v1/inbox (new items)", tokens, items, poster("usage"))
            retries = measured("POST /api/v1/inbox (retries of delivered items)", tokens, items, poster("usage"))
            alone = measured("one terminal alone: POST /api/v1/inbox (new items)", tokens[:1], 200, poster("alone"))
            with sqlite3.connect(state / "portal.sqlite") as db:
                rows = db.execute("SELECT COUNT(*) FROM inbox_item").fetchone()[0]
            db_bytes = sum(p.stat().st_size for p in state.glob("portal.sqlite*"))
            fsync = fsync_ms(state)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"machine": machine(), "date": dt.date.today().isoformat(), "terminals": terminals, "items_per_terminal": items,
            "server_threads": threads, "enrol_seconds": round(enrol_s, 2), "rows": rows, "db_bytes": db_bytes,
            "fsync_ms": round(fsync, 2), "load_before": round(load, 1),
            "phases": [phase.summary() for phase in (baseline, inbox, retries, alone)]}


def markdown(result: dict[str, Any]) -> str:
    baseline, inbox, retries, alone = result["phases"]
    lines = [
        f"## Portal inbox ({result['date']})",
        "",
        f"Machine: {result['machine']}. `python bench/bench_portal.py`: `kiosk-portal serve` (waitress, {result['server_threads']} threads, "
        f"SQLite WAL, synchronous=FULL) in its own process on 127.0.0.1; {result['terminals']} enrolled terminals, one client thread and "
        f"`requests.Session` each, all started together, {result['items_per_terminal']} requests per thread per phase "
        f"({result['terminals'] * result['items_per_terminal']:,} per phase). Client and server share the machine "
        f"(1-minute load average before the run: {result['load_before']}).",
        "",
        "| What | Requests | Requests/s | p50 (ms) | p95 (ms) | max (ms) | Server CPU (cores busy; ms per request) | Answers | Errors |",
        "|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for phase in (inbox, retries, baseline, alone):
        answers = ", ".join(f"{count:,}× {status}" for status, count in phase["statuses"].items())
        errors = ", ".join(f"{count}× {name}" for name, count in phase["errors"].items()) or "none"
        lines.append(f"| {phase['phase']} | {phase['requests']:,} | {phase['rps']:,.0f} | {phase['p50_ms']} | {phase['p95_ms']} | {phase['max_ms']} "
                     f"| {phase['server_cpu_share']}; {phase['server_cpu_ms_per_request']} | {answers} | {errors} |")
    ratio = baseline["rps"] / inbox["rps"] if inbox["rps"] else float("nan")
    lines += [
        "",
        f"- Rows stored: {result['rows']:,} (expected {result['terminals'] * result['items_per_terminal'] + alone['requests']:,}: every new item exactly once, "
        f"no retry stored twice); database with WAL {result['db_bytes'] / 2**20:.1f} MB.",
        f"- New items run at {1 / ratio:.0%} of the read-only baseline's rate. The server process is CPU-bound: "
        f"{inbox['server_cpu_share']} cores busy (one Python process, one GIL), {inbox['server_cpu_ms_per_request']} ms of CPU per new "
        f"item against {baseline['server_cpu_ms_per_request']} ms for a read (Flask, peewee building the statement, JSON). The disk is "
        f"not the limit: each item is its own commit with synchronous=FULL (a 201 lets the terminal forget the item), and an fsync "
        f"on this filesystem takes {result['fsync_ms']} ms (median).",
        f"- A retry is a failed INSERT on the unique index, an exception and a read ({retries['server_cpu_ms_per_request']} ms CPU per "
        "request): the portal inserts first because new items are the common case, and then they are one statement.",
        f"- Latency is queueing: {result['terminals']} requests are always in flight, so the mean wait ≈ {result['terminals']} ÷ throughput "
        f"(Little's law). One terminal posting alone sees p50 {alone['p50_ms']} ms.",
        f"- Enrolling {result['terminals']} terminals one after another: {result['enrol_seconds']} s.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--items", type=int, default=20, help="requests per terminal thread in each phase")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--write-doc", action="store_true", help="replace the portal-inbox section in docs/BENCHMARKS.md")
    args = parser.parse_args()
    result = run(args.terminals, args.items, args.threads)
    text = markdown(result)
    print(text)
    if args.write_doc:
        write_section(ROOT / "docs" / "BENCHMARKS.md", "portal-inbox", text)


if __name__ == "__main__":
    main()
