"""Printing benchmark on the bundled demo county (``Terminal.ensure_demo_content()`` in a temp dir).

Each figure beside a baseline measured in the same run, because this machine is noisy:
- receipt (query slip) PDFs at 80 and 58 mm, median and p95 (goal ≤ 50 ms);
- a 10-page A4 document (the longest demo document, its body repeated in memory until it fills
  exactly 10 pages), vs. plain reportlab building the same text in the same embedded font with
  reportlab's own CJK line breaking (our fix from printing/reportlab_fixes.py taken out), goal ≤ 500 ms;
  also a finance board and a village's full payment list;
- tap to done through a private cupsd with a cups-pdf queue: ``PrintQueue.submit`` → the ``done``
  update (the worker's ``CupsBackend.print_pdf`` waits until CUPS reports the job completed), vs. the
  bare ``lp`` submit of the same file, and vs. ``lp`` plus a 50 ms poll until the job completed.

Fonts are loaded once per process (``load_fonts``), so renders are timed warm; the one-off cold
font load is reported on its own. The CUPS part needs root (cupsd, /etc/cups/cups-pdf-*.conf) and
is skipped with a note otherwise; cupsd only listens on 127.0.0.1 and is stopped at the end.

Usage: python bench/bench_print.py [--runs 20] [--cups-runs 5] [--no-cups] [--write-doc]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# reportlab's own line breaking, saved before printing.layout replaces it (reportlab_fixes.apply()).
from reportlab.lib import textsplit  # noqa: E402
from reportlab.pdfbase import ttfonts  # noqa: E402
from reportlab.platypus import paragraph  # noqa: E402

ORIGINAL_CJK_FRAG_SPLIT = paragraph.cjkFragSplit
ORIGINAL_WORD_SPLIT = textsplit.wordSplit
ORIGINAL_TO_UNICODE_CMAP = ttfonts.makeToUnicodeCMap
if ORIGINAL_CJK_FRAG_SPLIT.__module__ != paragraph.__name__:
    raise SystemExit("printing.reportlab_fixes was applied before this benchmark saved reportlab's own line breaking")

import reportlab  # noqa: E402
from reportlab.lib.pagesizes import A4 as A4_POINTS  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from bench.bench_store import machine, p95, write_section  # noqa: E402
from kiosk.clock import fixed_clock  # noqa: E402
from kiosk.demo.timeline import ANCHOR  # noqa: E402
from kiosk.terminal import Terminal  # noqa: E402
from kiosk.usage import UsageLog  # noqa: E402
from printing import stories  # noqa: E402
from printing.cups import CupsBackend  # noqa: E402
from printing.fonts import load_fonts  # noqa: E402
from printing.layout import A4_SIZES, Styles  # noqa: E402
from printing.pdf import A4_MARGIN, RenderedPdf, a4_pdf  # noqa: E402
from printing.render import PrintContext, render_payments, render_query_slip, render_record  # noqa: E402
from printing.service import DONE, PrintOrder, PrintQueue, PrintUpdate  # noqa: E402

TARGET_PAGES = 10
RECEIPT_GOAL_MS = 50
TEN_PAGE_GOAL_MS = 500
JOB_DEADLINE_S = 60.0  # one job through CUPS; a stuck job ends the benchmark instead of hanging it
POLL_S = 0.05


def timed_ms(call: Callable[[], object]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def sample(call: Callable[[], object], runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        call()
    return [timed_ms(call)[0] for _ in range(runs)]


def summary(samples: list[float], **extra: Any) -> dict[str, Any]:
    return {"median_ms": statistics.median(samples), "p95_ms": p95(samples), "runs": len(samples), **extra}


# ---------------------------------------------------------------------------------- the content
def demo_terminal(data: Path) -> tuple[Terminal, str]:
    """The demo county in ``data``, the terminal standing in the village with the most payment lines.

    The terminal's clock stands on the demo's anchor day, so it loads the checked-in county (the same
    records on every run, whatever the date) rather than one generated for the day of the run.
    """
    terminal = Terminal(data, fixed_clock(dt.datetime.combine(ANCHOR, dt.time(10), dt.timezone(dt.timedelta(hours=8)))))
    terminal.ensure_demo_content()
    village = terminal.store.sql("SELECT region, COUNT(*) FROM record WHERE kind = 'subsidy_payment' AND deleted = 0 "
                                 "GROUP BY region ORDER BY 2 DESC, 1 LIMIT 1")[0][0]
    for key, value in (("terminal.region", village), ("printing.max_pages_per_session", 2000), ("printing.daily_page_budget", 100_000)):
        terminal.settings.set_local(key, value)
    terminal.reload_settings()
    return terminal, village


def longest_document(terminal: Terminal) -> dict[str, Any]:
    documents = terminal.store.list_records("document", terminal.scope(), limit=100_000)
    return max(documents, key=lambda doc: (len(doc["body"]), doc["id"]))


def document_builder(context: PrintContext, record: dict[str, Any]) -> Callable[[int], tuple[RenderedPdf, dict[str, Any]]]:
    """Render ``record`` with its body lengthened to ``n`` paragraphs (its own, repeated), as render_record does."""
    paragraphs = [line.strip() for line in record["body"].splitlines() if line.strip()]
    styles = Styles(context.fonts, A4_SIZES)
    url = context.url(record["id"])

    def build(n: int) -> tuple[RenderedPdf, dict[str, Any]]:
        doc = {**record, "body": "\n".join(paragraphs[i % len(paragraphs)] for i in range(n))}
        story = stories.document_story(styles, doc, url)
        return a4_pdf(context.fonts, story.flowables, title=story.title, footer=context.footer(), wide=story.wide), doc

    return build


def ten_page_document(context: PrintContext, record: dict[str, Any]) -> tuple[Callable[[], RenderedPdf], dict[str, Any], int]:
    """The most paragraphs that still fit on exactly TARGET_PAGES pages (a full last page); bounded search."""
    build = document_builder(context, record)
    low, high = 1, 1
    for _ in range(20):  # double until over the target
        if build(high)[0].pages > TARGET_PAGES:
            break
        low, high = high, high * 2
    else:
        raise RuntimeError("document never exceeded the target page count")
    for _ in range(30):  # largest n with pages <= target lies in [low, high)
        if high - low <= 1:
            break
        middle = (low + high) // 2
        if build(middle)[0].pages <= TARGET_PAGES:
            low = middle
        else:
            high = middle
    pdf, doc = build(low)
    if pdf.pages != TARGET_PAGES:
        raise RuntimeError(f"could not make a {TARGET_PAGES}-page document (got {pdf.pages} pages at {low} paragraphs)")
    return (lambda: build(low)[0]), doc, low


def document_texts(doc: dict[str, Any]) -> list[str]:
    """The printed text of a document page set, as plain paragraphs (title, header fields, body)."""
    fields = [("发文字号", doc.get("doc_number", "")), ("发文机关", doc["issuer"]), ("发布日期", doc["published_date"]),
              ("有效性", doc["validity"]), ("主题分类", doc.get("topic", ""))]
    return [doc["title"], *(f"{label}：{value}" for label, value in fields if value),
            *(line.strip() for line in doc["body"].splitlines() if line.strip())]


@contextlib.contextmanager
def reportlab_own_line_breaking() -> Iterator[None]:
    """Put reportlab's original functions back for the duration (our fixes are module globals, looked up per call)."""
    ours = (paragraph.cjkFragSplit, paragraph.wordSplit, ttfonts.makeToUnicodeCMap)
    paragraph.cjkFragSplit, paragraph.wordSplit, ttfonts.makeToUnicodeCMap = (ORIGINAL_CJK_FRAG_SPLIT, ORIGINAL_WORD_SPLIT,
                                                                              ORIGINAL_TO_UNICODE_CMAP)
    try:
        yield
    finally:
        paragraph.cjkFragSplit, paragraph.wordSplit, ttfonts.makeToUnicodeCMap = ours


def plain_reportlab(font_name: str, texts: list[str]) -> Callable[[], int]:
    """A plain SimpleDocTemplate of ``texts`` in the same font and size as our body text; returns pages."""
    size = A4_SIZES.body
    style = ParagraphStyle("plain", fontName=font_name, fontSize=size, leading=round(size * 1.45, 1), wordWrap="CJK",
                           firstLineIndent=2 * size, spaceAfter=size * 0.35)
    markup = [escape(text) for text in texts]

    def build() -> int:
        buffer = io.BytesIO()
        document = SimpleDocTemplate(buffer, pagesize=A4_POINTS, leftMargin=A4_MARGIN, rightMargin=A4_MARGIN, topMargin=A4_MARGIN,
                                     bottomMargin=A4_MARGIN, initialFontName=font_name, initialFontSize=10)
        document.build([Paragraph(text, style) for text in markup])
        return document.page

    return build


# ---------------------------------------------------------------------------------- rendering
def run_renders(terminal: Terminal, village: str, runs: int) -> dict[str, Any]:
    settings = terminal.settings
    cold_fonts_ms, fonts = timed_ms(lambda: load_fonts(settings["printing.font_path"]))
    context = PrintContext.of(terminal)
    assert context.fonts is fonts
    longest = longest_document(terminal)
    first_slip_ms, _ = timed_ms(lambda: render_query_slip(context, longest["id"], 80))
    results: dict[str, Any] = {"cold_fonts_ms": cold_fonts_ms, "first_slip_ms": first_slip_ms, "font": Path(fonts.main.path).name}

    for width in (80, 58):
        pdf = render_query_slip(context, longest["id"], width)
        results[f"slip_{width}"] = summary(sample(lambda w=width: render_query_slip(context, longest["id"], w), runs),
                                           pages=pdf.pages, media=pdf.media.cups_media(), kb=len(pdf.data) / 1024)

    as_is = render_record(context, longest["id"])
    results["longest_as_is"] = summary(sample(lambda: render_record(context, longest["id"]), runs), pages=as_is.pages,
                                       chars=len(longest["body"]), record=longest["id"])

    ten_page, doc, paragraphs = ten_page_document(context, longest)
    pdf = ten_page()
    texts = document_texts(doc)
    plain = plain_reportlab(fonts.name, texts)
    with reportlab_own_line_breaking():
        baseline_pages = plain()
    fixed_pages = plain()
    ours, baseline, baseline_fixed = [], [], []
    for _ in range(2):  # warm-up, both sides alike
        ten_page()
        plain()
        with reportlab_own_line_breaking():
            plain()
    for _ in range(runs):  # interleaved, so drift on a noisy machine hits every side alike
        ours.append(timed_ms(ten_page)[0])
        baseline_fixed.append(timed_ms(plain)[0])
        with reportlab_own_line_breaking():
            baseline.append(timed_ms(plain)[0])
    results["ten_page"] = summary(ours, pages=pdf.pages, chars=sum(map(len, texts)), body_chars=len(doc["body"]), paragraphs=paragraphs,
                                  kb=len(pdf.data) / 1024, record=longest["id"])
    results["plain_reportlab"] = summary(baseline, pages=baseline_pages)
    results["plain_our_breaking"] = summary(baseline_fixed, pages=fixed_pages)
    results["ten_page_pdf"] = pdf

    finance = [board for board in terminal.store.list_records("board", [village], limit=1000) if board["board_type"] == "finance"]
    board = max(finance, key=lambda b: (render_record(context, b["id"]).pages, b["id"]))
    board_pdf = render_record(context, board["id"])
    results["finance_board"] = summary(sample(lambda: render_record(context, board["id"]), runs), pages=board_pdf.pages,
                                       record=board["id"], lines=len(board.get("lines", [])))

    payments_pdf = render_payments(context, village)
    rows = terminal.store.sql("SELECT COUNT(*) FROM record WHERE kind = 'subsidy_payment' AND deleted = 0 AND region = ?", (village,))[0][0]
    results["payments"] = summary(sample(lambda: render_payments(context, village), runs), pages=payments_pdf.pages, rows=rows,
                                  village=terminal.region_name(village))
    results["slip_80_pdf"] = render_query_slip(context, longest["id"], 80)
    results["slip_record"] = longest["id"]
    return results


# ---------------------------------------------------------------------------------- CUPS
def cups_missing() -> str:
    from tests.printing.cups_server import CUPS_PDF_BACKEND, CUPS_PDF_PPD, CUPSD

    if os.geteuid() != 0:
        return "not root (the private cupsd and the cups-pdf conf in /etc/cups need it)"
    missing = [p for p in (CUPSD, CUPS_PDF_BACKEND, CUPS_PDF_PPD) if not Path(p).exists()]
    missing += [tool for tool in ("lp", "lpadmin", "lpstat", "ipptool") if shutil.which(tool) is None]
    return f"missing {', '.join(missing)}" if missing else ""


def cups_version() -> str:
    """The CUPS version for the report: cups-config if installed, else the Debian package."""
    for args in (["cups-config", "--version"], ["dpkg-query", "-W", "-f=${Version}", "cups-daemon"]):
        if shutil.which(args[0]):
            out = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.strip()
    return ""


def _c_env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


def _wait_job_gone(server: str, queue_name: str, job_id: str, deadline_s: float) -> None:
    """Poll ``lpstat -o`` (not-completed jobs) every POLL_S until the job has left it; bounded."""
    deadline = time.monotonic() + deadline_s
    while True:
        out = subprocess.run(["lpstat", "-h", server, "-o", queue_name], capture_output=True, text=True, timeout=10, env=_c_env(),
                             check=False).stdout
        if not re.search(rf"-{job_id}\b", out):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"CUPS job {job_id} did not complete in {deadline_s:.0f} s")
        time.sleep(POLL_S)


def _lp(server: str, queue_name: str, path: Path, pdf: RenderedPdf) -> str:
    args = ["lp", "-h", server, "-d", queue_name, "-o", f"media={pdf.media.cups_media()}", "-o", "print-scaling=auto", "-t", pdf.title,
            "--", str(path)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=30, env=_c_env(), check=False)
    match = re.search(r"request id is \S+-(\d+)", proc.stdout)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"lp failed: {proc.stderr.strip()} {proc.stdout.strip()}")
    return match.group(1)


def run_cups(terminal: Terminal, jobs: dict[str, tuple[RenderedPdf, str, str]], runs: int) -> dict[str, Any]:
    """``jobs``: name → (pdf, record id, layout). Times the print queue and bare lp against a private cupsd."""
    from tests.printing.cups_server import CupsServer, remove_stale_confs

    remove_stale_confs()
    server: CupsServer | None = None
    usage: UsageLog | None = None
    print_queue: PrintQueue | None = None
    results: dict[str, Any] = {}
    try:
        server = CupsServer.start()
        pdf_queue = server.add_pdf_queue("bench-pdf")
        backend = CupsBackend(pdf_queue.name, server=server.server)
        updates: queue.Queue[PrintUpdate] = queue.Queue()
        usage = UsageLog(terminal.data_dir / "usage.sqlite")
        print_queue = PrintQueue(lambda: terminal.settings, usage, {"a4": backend, "receipt": backend}, updates.put,
                                 clock=terminal.clock)
        print_queue.start()

        def through_queue(pdf: RenderedPdf, record_id: str, layout: str) -> float:
            print_queue.reset_session()
            start = time.perf_counter()
            ticket = print_queue.submit(PrintOrder(pdf, record_id, layout)).ticket
            deadline = time.monotonic() + JOB_DEADLINE_S
            while True:
                try:
                    update = updates.get(timeout=max(0.01, deadline - time.monotonic()))
                except queue.Empty:
                    raise RuntimeError(f"print job {ticket} gave no final update in {JOB_DEADLINE_S:.0f} s") from None
                if update.ticket == ticket and update.final:
                    elapsed = (time.perf_counter() - start) * 1000
                    if update.stage != DONE:
                        raise RuntimeError(f"print job {ticket} ended {update.stage}: {update.message('en')} {update.alert}")
                    return elapsed

        status_ms = sample(backend.status, runs, warmup=1)
        results["status_check"] = summary(status_ms)
        with tempfile.TemporaryDirectory(prefix="bench-print-") as folder:
            for name, (pdf, record_id, layout) in jobs.items():
                path = Path(folder) / f"{name}.pdf"
                path.write_bytes(pdf.data)
                through_queue(pdf, record_id, layout)  # warm-up: the first job of a kind starts CUPS's filters cold
                queued, lp_alone, lp_done = [], [], []
                for _ in range(runs):  # interleaved; each job finishes before the next starts
                    queued.append(through_queue(pdf, record_id, layout))
                    start = time.perf_counter()
                    job_id = _lp(server.server, pdf_queue.name, path, pdf)
                    lp_alone.append((time.perf_counter() - start) * 1000)
                    _wait_job_gone(server.server, pdf_queue.name, job_id, JOB_DEADLINE_S)
                    lp_done.append((time.perf_counter() - start) * 1000)
                results[name] = {"queue": summary(queued), "lp": summary(lp_alone), "lp_done": summary(lp_done), "pages": pdf.pages}
        results["cups"] = cups_version()
    finally:
        if print_queue is not None:
            print_queue.stop()
        if usage is not None:
            usage.close()
        if server is not None:
            server.stop()
    return results


# ---------------------------------------------------------------------------------- report
def run(runs: int, cups_runs: int, with_cups: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-print-terminal-") as tmp:
        terminal, village = demo_terminal(Path(tmp) / "terminal")
        try:
            counts = dict(terminal.store.sql("SELECT kind, COUNT(*) FROM record WHERE deleted = 0 GROUP BY kind"))
            renders = run_renders(terminal, village, runs)
            ten_page_pdf, slip_pdf = renders.pop("ten_page_pdf"), renders.pop("slip_80_pdf")
            skipped = "" if with_cups else "--no-cups"
            skipped = skipped or cups_missing()
            cups: dict[str, Any] = {}
            if not skipped:
                cups = run_cups(terminal, {"receipt": (slip_pdf, renders["slip_record"], "receipt"),
                                           "ten_page": (ten_page_pdf, renders["ten_page"]["record"], "a4")}, cups_runs)
        finally:
            terminal.close()
    return {"date": dt.date.today().isoformat(), "machine": machine(), "reportlab": reportlab.Version, "records": sum(counts.values()),
            "counts": counts, "runs": runs, "cups_runs": cups_runs, "renders": renders, "cups": cups, "cups_skipped": skipped}


def _met(value: float, goal: float) -> str:
    return "yes" if value <= goal else "**no**"


def markdown(r: dict[str, Any]) -> str:
    d, c = r["renders"], r["cups"]
    counts = r["counts"]
    ten, plain, fixed, board = d["ten_page"], d["plain_reportlab"], d["plain_our_breaking"], d["finance_board"]
    lines = [
        f"## Printing ({r['date']})",
        "",
        f"Bundled demo county (`Terminal.ensure_demo_content()` in a temp dir: {r['records']:,} records, "
        f"{counts.get('document', 0)} documents, {counts.get('board', 0)} boards, {counts.get('subsidy_payment', 0)} payment lines), "
        f"terminal placed in {d['payments']['village']}, the village with the most payment lines; "
        f"{r['machine']}, reportlab {r['reportlab']}, font {d['font']}, `python bench/bench_print.py` "
        f"(medians and p95 of {r['runs']} warm renders; fonts are loaded once per process).",
        "",
        "| What | Pages | Median | p95 | Baseline (same run) | Goal | Met |",
        "|---|---|---|---|---|---|---|",
    ]
    for width in (80, 58):
        s = d[f"slip_{width}"]
        lines.append(f"| Receipt (query slip) {width} mm, {s['media']} | {s['pages']} | {s['median_ms']:.0f} ms | {s['p95_ms']:.0f} ms | — "
                     f"| ≤ {RECEIPT_GOAL_MS} ms | {_met(s['p95_ms'], RECEIPT_GOAL_MS)} |")
    lines += [
        f"| 10-page A4 document: longest demo document, body repeated to {ten['paragraphs']} paragraphs ({ten['chars']:,} characters) "
        f"| {ten['pages']} | {ten['median_ms']:.0f} ms | {ten['p95_ms']:.0f} ms "
        f"| plain reportlab, same text and font, reportlab's own CJK wrap: {plain['median_ms']:.0f} ms, {plain['pages']} pages "
        f"({ten['median_ms'] / plain['median_ms']:.2f}×) | ≤ {TEN_PAGE_GOAL_MS} ms | {_met(ten['p95_ms'], TEN_PAGE_GOAL_MS)} |",
        f"| The same plain reportlab document with our line breaking | {fixed['pages']} | {fixed['median_ms']:.0f} ms | {fixed['p95_ms']:.0f} ms "
        f"| {fixed['median_ms'] / plain['median_ms']:.2f}× reportlab's own wrap | — | — |",
        f"| Longest demo document as is ({d['longest_as_is']['chars']:,}-character body) | {d['longest_as_is']['pages']} "
        f"| {d['longest_as_is']['median_ms']:.0f} ms | {d['longest_as_is']['p95_ms']:.0f} ms | — | — | — |",
        f"| Finance board (landscape ledger, {board['lines']} lines), the village's longest | {board['pages']} | {board['median_ms']:.0f} ms "
        f"| {board['p95_ms']:.0f} ms | — | — | — |",
        f"| Full payment list of {d['payments']['village']} ({d['payments']['rows']} lines, landscape) | {d['payments']['pages']} "
        f"| {d['payments']['median_ms']:.0f} ms | {d['payments']['p95_ms']:.0f} ms | — | — | — |",
    ]
    if c:
        for name, label in (("receipt", "Receipt 80 mm"), ("ten_page", "10-page document")):
            job = c[name]
            lines.append(
                f"| Tap to done through CUPS (cups-pdf): {label} | {job['pages']} | {job['queue']['median_ms']:.0f} ms "
                f"| {job['queue']['p95_ms']:.0f} ms | `lp` submit alone {job['lp']['median_ms']:.0f} ms "
                f"({job['queue']['median_ms'] / job['lp']['median_ms']:.0f}×); `lp` + poll every {POLL_S * 1000:.0f} ms until completed "
                f"{job['lp_done']['median_ms']:.0f} ms ({job['queue']['median_ms'] / job['lp_done']['median_ms']:.1f}×) | — | — |")
    lines += [
        "",
        f"Cold font load (first `load_fonts` in a process, {d['font']}): {d['cold_fonts_ms']:.0f} ms, once; "
        f"the first receipt after it: {d['first_slip_ms']:.0f} ms.",
    ]
    if c:
        lines.append(
            f"CUPS figures: a private cupsd{' (CUPS ' + c['cups'] + ')' if c['cups'] else ''} on 127.0.0.1 with one cups-pdf queue, "
            f"{r['cups_runs']} runs each after one warm-up job (p95 is the maximum under 20 runs); "
            f"\"done\" is `PrintQueue.submit` until the worker's `done` update, i.e. `CupsBackend.print_pdf`: a status check "
            f"(`ipptool`, {c['status_check']['median_ms']:.0f} ms), `lp`, then polling the job every "
            f"50 ms at first, doubling up to {CupsBackend('x').poll_s:g} s, until CUPS reports it completed. The same PDF and `lp` options in every column.")
    else:
        lines.append(f"CUPS figures skipped: {r['cups_skipped']}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="warm renders per figure")
    parser.add_argument("--cups-runs", type=int, default=5, help="jobs per figure through CUPS")
    parser.add_argument("--no-cups", action="store_true", help="skip the CUPS part")
    parser.add_argument("--write-doc", action="store_true", help="replace this section in docs/BENCHMARKS.md")
    args = parser.parse_args()
    if args.runs < 1 or args.cups_runs < 1:
        parser.error("--runs and --cups-runs must be at least 1")
    results = run(args.runs, args.cups_runs, not args.no_cups)
    text = markdown(results)
    print(text)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "print-demo.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if args.write_doc:
        write_section(ROOT / "docs" / "BENCHMARKS.md", "printing", text)


if __name__ == "__main__":
    main()
