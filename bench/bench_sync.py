"""Sync benchmark: a county-scale feed served by nginx on 127.0.0.1, measured against curl.

What is compared, in the same run:
- **Initial sync** (TUF refresh, catalogs, snapshot bundles, attachments, verification and apply)
  against ``curl`` fetching exactly the same files plus ``kiosk import`` of the same records
  (the store's own floor for applying them). On loopback the transfer is nearly free, so the
  transfer phases are also compared alone, and the whole is repeated through a proxy that limits
  the line to a rural 2 MB/s, where the transfer is what a terminal waits for.
- **A 1 % change**: bytes the terminal downloads against the gzip size of just the changed
  records, and the time to apply the delta.

With ``--rss``: the initial sync of one county channel read from a ``file:`` feed (as from a USB
stick: no network, the same verification, bundle reading and apply), each in a fresh child
process, for the 20,000-record county and the ~100,000-record ``county100k``. It reports the
child's peak RSS (``ru_maxrss``) and its apply rate: records ÷ the time of the stages after each
bundle's download (check, blobs, apply: validation, attachments, derive, insert, index).
``--code DIR`` runs the children on another checkout's code (a baseline: ``git worktree`` or
``git archive`` of an older commit).

Usage: python bench/bench_sync.py [--out bench/out] [--rate 2000000] [--write-doc]
       python bench/bench_sync.py --rss [--code DIR] [--write-doc]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_store import machine, write_section  # noqa: E402
from kiosk.terminal import Terminal  # noqa: E402
from sync.client import FeedSync  # noqa: E402
from sync.publish.build import Publisher  # noqa: E402
from sync.publish.keys import KeyDir  # noqa: E402
from sync.publish.repo import FeedRepo  # noqa: E402
from tests.sync.faultproxy import FaultProxy, Trickle  # noqa: E402
from tests.sync.nginx import NginxServer  # noqa: E402


def county_source(out: Path) -> Path:
    folder = out / "county"
    if not (folder / "document.jsonl").is_file():
        subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "--scale", "county", "--out", str(folder)], check=True)
    return folder


def a_village(source: Path) -> str:
    for line in (source / "region.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["level"] == "village":
            return record["id"] if record["id"].isdigit() else record["region"]
    raise SystemExit("no village in the synthetic county")


def feed_files(feed: Path) -> list[str]:
    """Every file a first sync fetches: metadata chain, current targets, blobs (relative paths)."""
    meta = feed / "metadata"
    names = ["metadata/timestamp.json"]
    names += sorted(f"metadata/{p.name}" for p in meta.glob("*.root.json") if p.name != "1.root.json")
    snapshot = max(int(p.name.split(".")[0]) for p in meta.glob("*.snapshot.json"))
    targets = max(int(p.name.split(".")[0]) for p in meta.glob("*.targets.json"))
    names += [f"metadata/{snapshot}.snapshot.json", f"metadata/{targets}.targets.json"]
    signed = json.loads((meta / f"{targets}.targets.json").read_text())["signed"]["targets"]
    for name, info in signed.items():
        if "/delta-" in name:
            continue
        directory, _, base = name.rpartition("/")
        names.append(f"targets/{directory}/{info['hashes']['sha256']}.{base}")
    names += sorted(str(p.relative_to(feed)) for p in (feed / "blobs").rglob("*") if p.is_file())
    return names


def curl_all(base: str, names: list[str], work: Path) -> float:
    """One curl process, one connection, the same files, written to disk."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "curl.cfg"
    lines = []
    for index, name in enumerate(names):
        lines += [f'url = "{base}/{name}"', f'output = "{work}/dl/{index}"']
    config.write_text("\n".join(lines) + "\n")
    (work / "dl").mkdir(exist_ok=True)
    start = time.perf_counter()
    subprocess.run(["curl", "-sSf", "--config", str(config)], check=True)
    return time.perf_counter() - start


def import_floor(source: Path, work: Path, region: str) -> float:
    """`kiosk import` of the same records into an empty store: what applying them costs at least."""
    with Terminal(work / "import-floor") as terminal:
        terminal.settings.set_local("terminal.region", region)
        start = time.perf_counter()
        terminal.import_path(source)
        return time.perf_counter() - start


class PhaseClock:
    """Splits a sync's wall time into transfer phases and apply, from its progress reports."""

    def __init__(self) -> None:
        self.apply = 0.0
        self._apply_started: float | None = None

    def __call__(self, progress: Any) -> None:
        now = time.perf_counter()
        if self._apply_started is not None:
            self.apply += now - self._apply_started
            self._apply_started = None
        if progress.stage == "apply":
            self._apply_started = now


def timed_sync(url: str, data_dir: Path, anchor: bytes, region: str) -> tuple[float, float, Any]:
    with Terminal(data_dir) as terminal:
        terminal.settings.set_local("terminal.region", region)
        terminal.reload_settings()
        clock = PhaseClock()
        start = time.perf_counter()
        report = FeedSync(terminal, url, anchor=anchor, progress=clock).run()
        total = time.perf_counter() - start
        assert report.ok, report.as_dict()
        return total, clock.apply, report


def run(out: Path, rate: int) -> dict[str, Any]:
    source_all = county_source(out)
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    source = work / "source"
    source.mkdir()
    for path in source_all.glob("*.jsonl"):
        if path.name != "changes.jsonl":
            shutil.copy2(path, source / path.name)
    region = a_village(source)
    records = sum(1 for p in source.glob("*.jsonl") for _ in p.open(encoding="utf-8"))
    feed = work / "www"
    repo = FeedRepo(feed, KeyDir(work / "keys"))
    repo.init(dt.datetime.now(dt.UTC))
    publisher = Publisher(repo)
    start = time.perf_counter()
    publisher.build(source)
    publish_s = time.perf_counter() - start
    names = feed_files(feed)
    feed_bytes = sum((feed / name).stat().st_size for name in names)
    results: dict[str, Any] = {"records": records, "publish_s": publish_s, "files": len(names), "feed_bytes": feed_bytes,
                               "machine": machine(), "date": dt.date.today().isoformat()}
    with NginxServer(feed, work / "nginx") as nginx, FaultProxy(nginx.origin) as proxy:
        base = nginx.base_url
        anchor = (feed / "metadata" / "1.root.json").read_bytes()
        curl_s = min(curl_all(base, names, work / f"curl{i}") for i in range(3))
        floor_s = import_floor(source, work, region)
        sync_s, apply_s, report = timed_sync(base + "/", work / "t-loopback", anchor, region)
        results["loopback"] = {"curl_s": curl_s, "import_floor_s": floor_s, "sync_s": sync_s, "apply_s": apply_s,
                               "transfer_s": sync_s - apply_s, "bytes": report.bytes_downloaded}
        proxy.add_fault(r"/feed/", Trickle(bytes_per_second=rate, chunk=16384))
        slow_curl = curl_all(proxy.base_url + "/feed", names, work / "curl-slow")
        slow_sync, slow_apply, slow_report = timed_sync(proxy.base_url + "/feed/", work / "t-slow", anchor, region)
        results["slow"] = {"rate": rate, "curl_s": slow_curl, "sync_s": slow_sync, "apply_s": slow_apply,
                           "transfer_s": slow_sync - slow_apply, "bytes": slow_report.bytes_downloaded}
        proxy.clear()

        # a 1 % change
        changes = max(1, records // 100)
        subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "--from", str(source), "--out", str(work / "changes"),
                        "--changes", str(changes)], check=True, capture_output=True)
        changed = [json.loads(line) for line in (work / "changes" / "changes.jsonl").read_text(encoding="utf-8").splitlines()]
        shutil.copy2(work / "changes" / "changes.jsonl", source / "zz-changes.jsonl")
        publisher.build(source)
        compressed = len(gzip.compress("".join(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
                                               for r in changed).encode(), 9))
        with Terminal(work / "t-loopback") as terminal:
            clock = PhaseClock()
            start = time.perf_counter()
            delta = FeedSync(terminal, base + "/", progress=clock).run()
            delta_s = time.perf_counter() - start
        assert delta.ok, delta.as_dict()
        results["delta"] = {"changed": len(changed), "bytes": delta.bytes_downloaded, "changed_gzip_bytes": compressed,
                            "ratio": delta.bytes_downloaded / compressed, "sync_s": delta_s, "apply_s": clock.apply,
                            "via": sorted({c.via for c in delta.channels if c.status == "updated"})}
    shutil.rmtree(work, ignore_errors=True)
    return results


def markdown(r: dict[str, Any]) -> str:
    loop, slow, delta = r["loopback"], r["slow"], r["delta"]
    total_floor = loop["curl_s"] + loop["import_floor_s"]
    return "\n".join([
        f"## Sync ({r['date']})",
        "",
        f"`bench/bench_sync.py` — synthetic county ({r['records']:,} records, {r['files']} files, {r['feed_bytes'] / 2**20:.1f} MiB "
        f"on the wire), nginx on 127.0.0.1; {r['machine']}. Publishing it took {r['publish_s']:.1f} s.",
        "",
        "| What | Kiosk sync | Baseline (same run) | Ratio | Goal |",
        "| --- | ---: | --- | ---: | --- |",
        f"| Initial sync on loopback, apply included | {loop['sync_s']:.1f} s | curl of the same files {loop['curl_s']:.2f} s + "
        f"`kiosk import` of the same records {loop['import_floor_s']:.1f} s = {total_floor:.1f} s | {loop['sync_s'] / total_floor:.2f}× | ≤ 1.5× |",
        f"| — its transfer and verification alone | {loop['transfer_s']:.2f} s | curl {loop['curl_s']:.2f} s | "
        f"{loop['transfer_s'] / loop['curl_s']:.1f}× | — |",
        f"| Initial sync at {slow['rate'] / 1e6:.0f} MB/s (a rural line, through a throttling proxy) | {slow['sync_s']:.1f} s "
        f"(transfer {slow['transfer_s']:.1f} s, apply {slow['apply_s']:.1f} s) | curl of the same files, same line {slow['curl_s']:.1f} s | "
        f"transfer {slow['transfer_s'] / slow['curl_s']:.2f}× | ≤ 1.5× |",
        f"| 1 % change ({delta['changed']} records) — bytes moved | {delta['bytes']:,} B via {', '.join(delta['via'])} | "
        f"gzip of just the changed records {delta['changed_gzip_bytes']:,} B | {delta['ratio']:.2f}× | ≤ 1.2× |",
        f"| 1 % change — time to sync and apply | {delta['sync_s']:.2f} s (apply {delta['apply_s']:.2f} s) | — | — | — |",
        "",
        "On loopback the network costs almost nothing, so the initial sync is compared with fetching the",
        "same files and importing the same records, which any client has to do. Through a throttled line",
        "the transfer dominates, and there the kiosk's downloads (TUF metadata, bundles, attachments, each",
        "verified) are compared with curl alone.",
    ])


# ------------------------------------------------------------------------------- --rss mode
CHILD_SYNC = r"""
import json, resource, sys, time
from pathlib import Path
from kiosk.terminal import Terminal
from sync.client import FeedSync, file_url

feed, data_dir, region = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
spent, cpu, now = {}, {}, {"stage": "", "at": 0.0, "cpu": 0.0}
def progress(p):  # time (wall and this process's CPU) between stage changes is the stage's
    if p.stage != now["stage"]:
        t, c = time.perf_counter(), time.process_time()
        spent[now["stage"]] = spent.get(now["stage"], 0.0) + t - now["at"]
        cpu[now["stage"]] = cpu.get(now["stage"], 0.0) + c - now["cpu"]
        now.update(stage=p.stage, at=t, cpu=c)
with Terminal(data_dir) as terminal:
    terminal.settings.set_local("terminal.region", region)
    terminal.reload_settings()
    start = time.perf_counter()
    report = FeedSync(terminal, file_url(feed), anchor=(feed / "metadata" / "1.root.json").read_bytes(), progress=progress).run()
    end = time.perf_counter()
    assert report.ok, report.as_dict()
    records = terminal.store.sql("SELECT COUNT(*) FROM record")[0][0]
hwm = next((int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")), 0)
records_s = sum(spent.get(stage, 0.0) for stage in ("check", "blobs", "apply"))
records_cpu_s = sum(cpu.get(stage, 0.0) for stage in ("check", "blobs", "apply"))
load = open("/proc/loadavg").read().split()[0]
print(json.dumps({"records": records, "sync_s": end - start, "records_s": records_s, "records_cpu_s": records_cpu_s,
                  "spent": spent, "cpu": cpu, "load": float(load),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "vmhwm_mb": hwm / 1024}))
"""


def one_channel_feed(out: Path, scale: str) -> tuple[Path, str, int]:
    """A published feed of synth ``scale`` (cached under ``out``): (feed folder, a village, records in its county channel)."""
    source = out / scale
    if not (source / "document.jsonl").is_file():
        subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "--scale", scale, "--out", str(source)], check=True)
    feed = out / f"feed-{scale}"
    if not (feed / "publisher.json").is_file():
        shutil.rmtree(feed, ignore_errors=True)
        clean = out / f"source-{scale}"
        clean.mkdir(exist_ok=True)
        for path in source.glob("*.jsonl"):
            if path.name != "changes.jsonl":
                shutil.copy2(path, clean / path.name)
        repo = FeedRepo(feed, KeyDir(out / f"keys-{scale}"))
        repo.init(dt.datetime.now(dt.UTC))
        Publisher(repo).build(clean)
    state = json.loads((feed / "publisher.json").read_text(encoding="utf-8"))
    region = a_village(source)
    county = region[:6] + "000000"
    catalog = json.loads(next((feed / "targets" / "channels" / county).glob("*.catalog.json")).read_text(encoding="utf-8"))
    assert state["channels"][county]["generation"] == catalog["generation"]
    return feed, region, int(catalog["snapshot"]["records"])


def rss_run(out: Path, code: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "date": dt.date.today().isoformat(), "code": str(code), "runs": {}}
    for scale in ("county", "county100k"):
        feed, region, channel_records = one_channel_feed(out, scale)
        runs = []
        for _ in range(2 if scale == "county" else 1):
            data_dir = Path(tempfile.mkdtemp(prefix="bench-rss-"))
            env = {**__import__("os").environ, "PYTHONPATH": str(code)}
            done = subprocess.run([sys.executable, "-c", CHILD_SYNC, str(feed), str(data_dir), region], cwd=code, env=env,
                                  capture_output=True, text=True, check=False)
            shutil.rmtree(data_dir, ignore_errors=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr[-3000:])
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        best = min(runs, key=lambda r: r["records_s"])
        results["runs"][scale] = {"channel_records": channel_records, "runs": runs, "best": best,
                                  "rate": best["records"] / best["records_s"],
                                  "cpu_rate": best["records"] / min(r["records_cpu_s"] for r in runs),
                                  "maxrss_mb": max(r["maxrss_mb"] for r in runs)}
    return results


def rss_markdown(new: dict[str, Any], base: dict[str, Any] | None) -> str:
    """The docs/BENCHMARKS.md section for ``--rss`` (``base``: the same run on the baseline code, if measured)."""
    def cell(scale: str, key: str, fmt: str) -> tuple[str, str, str]:
        ours = new["runs"][scale][key]
        if base is None or scale not in base["runs"]:
            return format(ours, fmt), "—", "—"
        theirs = base["runs"][scale][key]
        return format(ours, fmt), format(theirs, fmt), f"{ours / theirs:.2f}×"
    lines = [
        f"## Sync: memory and apply rate of an initial sync ({new['date']})",
        "",
        f"`python bench/bench_sync.py --rss` — one fresh child process per sync, a `file:` feed (as from a USB stick), "
        f"terminal in a village, so four channels, the county's holding nearly everything; {new['machine']}. "
        "Rate: records ÷ the time after each bundle's download (check, attachments, apply). Baseline: the same "
        "runs on the code before this change (`--code` of a `git archive` of it), the same feed files.",
        "",
        "| What | Now | Baseline | Ratio | Goal |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for scale, label in (("county", "20k county"), ("county100k", "100k county")):
        records = new["runs"][scale]["best"]["records"]
        rss = cell(scale, "maxrss_mb", ".0f")
        rate = cell(scale, "rate", ",.0f")
        cpu = cell(scale, "cpu_rate", ",.0f")
        rss_goal = "≤ 300 MB" if scale == "county100k" else "—"
        rate_goal = "≥ 5,000/s" if scale == "county" else "—"
        lines += [
            f"| {label} ({records:,} records): peak RSS (ru_maxrss) | {rss[0]} MB | {rss[1]} MB | {rss[2]} | {rss_goal} |",
            f"| {label}: apply rate, wall clock | {rate[0]}/s | {rate[1]}/s | {rate[2]} | {rate_goal} |",
            f"| {label}: apply rate, CPU time of the process | {cpu[0]}/s | {cpu[1]}/s | {cpu[2]} | — |",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--rate", type=int, default=2_000_000, help="bytes per second for the rural-line run")
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--rss", action="store_true", help="peak memory and apply rate of one-channel initial syncs (20k, 100k)")
    parser.add_argument("--code", type=Path, default=ROOT, help="with --rss: the checkout whose code the children run")
    args = parser.parse_args()
    if args.rss:
        args.out.mkdir(parents=True, exist_ok=True)
        results = rss_run(args.out, args.code.resolve())
        name = "sync-rss.json" if args.code.resolve() == ROOT else "sync-rss-baseline.json"
        (args.out / name).write_text(json.dumps(results, ensure_ascii=False, indent=2))
        base_file = args.out / "sync-rss-baseline.json"
        if name == "sync-rss.json":
            base = json.loads(base_file.read_text()) if base_file.is_file() else None
            text = rss_markdown(results, base)
            print(text)
            if args.write_doc:
                write_section(ROOT / "docs" / "BENCHMARKS.md", "sync-memory", text)
        return
    results = run(args.out, args.rate)
    (args.out / "sync-county.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    text = markdown(results)
    print(text)
    if args.write_doc:
        write_section(ROOT / "docs" / "BENCHMARKS.md", "sync", text)


if __name__ == "__main__":
    main()
