"""Touch-screen benchmark on the province-scale store (bench_store.py builds it).

Each figure beside a baseline measured in the same run, because this machine is noisy:
- cold start to the first painted home screen, vs. a bare PySide6 window's first paint
  (each a fresh process, alternated, median of several);
- opening a list of tens of thousands of rows to its first painted rows, vs. the same list
  screen over one row (so the difference is what the length costs);
- resident memory after visiting every screen (and the search keyboard), vs. the bare window.

The Qt platform is ``offscreen`` unless a display is given: it paints the same widgets.

Usage: python bench/bench_ui.py [--store bench/out/province-store] [--runs 5] [--out bench/out] [--write-doc]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_store import machine, write_section  # noqa: E402

CHILD = Path(__file__).resolve()
BARE = "bare"
KIOSK = "kiosk"


# ---------------------------------------------------------------------------------- child side
def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_first_paint(mode: str, data_dir: str, started: float) -> None:
    """Print seconds from ``started`` (the parent's clock before exec) to the first paint, then exit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    if mode == BARE:
        window = QWidget()
        window.resize(1920, 1080)
        target = window
    else:
        from kiosk.terminal import Terminal
        from ui.fonts import install_cjk_font
        from ui.window import MainWindow

        install_cjk_font(app)
        window = MainWindow(Terminal(Path(data_dir)))
        window.resize(1920, 1080)
        target = window.home

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and watched is target:
                print(json.dumps({"first_paint_s": time.time() - started, "rss_mb": _rss_mb()}), flush=True)
                QTimer.singleShot(0, app.quit)
                target.removeEventFilter(self)
            return False

    spy = FirstPaint()
    target.installEventFilter(spy)
    window.show()
    app.exec()


def child_lists(data_dir: str) -> None:
    """Open the long lists the way a tap does, timing construction to the first painted rows."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QListView

    from kiosk.browse import Browser
    from kiosk.terminal import Terminal
    from ui.documents import DocumentListScreen, document_row
    from ui.fonts import install_cjk_font
    from ui.listing import ListScreen
    from ui.subsidies import payment_row
    from ui.theme import NORMAL

    app = QApplication([])
    install_cjk_font(app)
    terminal = Terminal(Path(data_dir))
    everywhere = [row[0] for row in terminal.store.sql("SELECT DISTINCT region FROM record")]
    browser = Browser(terminal.store, everywhere)  # a provincial hall's view: every region's content

    def payments_screen() -> ListScreen:
        def fetch(offset: int, limit: int) -> tuple[list, int]:
            page = browser._page("subsidy_payment", [], [], "sort_date DESC, record_id", offset, limit)
            return [payment_row(p, "zh_CN") for p in page.rows], page.total
        return ListScreen("payments-all", "补贴发放", fetch, NORMAL, "zh_CN", on_back=lambda: None, on_home=lambda: None)

    def one_row_screen() -> ListScreen:
        """The baseline: the same list screen over one ready row, so the difference is what the store costs."""
        row = document_row(browser.documents(limit=1).rows[0], "zh_CN")
        return ListScreen("one-row", "基线", lambda offset, limit: ([row][offset:offset + limit], 1), NORMAL, "zh_CN",
                          on_back=lambda: None, on_home=lambda: None)

    def documents_screen() -> DocumentListScreen:
        return DocumentListScreen(browser, NORMAL, "zh_CN", on_back=lambda: None, on_home=lambda: None)

    def time_to_rows(build: object) -> tuple[float, int]:
        painted: list[float] = []

        class Spy(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and not painted:
                    painted.append(time.perf_counter())
                return False

        start = time.perf_counter()
        screen = build()  # type: ignore[operator]
        view = screen.findChild(QListView, "touch-list")
        spy = Spy()
        view.viewport().installEventFilter(spy)
        screen.resize(1920, 1080)
        screen.show()
        while not painted:
            app.processEvents()
        total = view.model().total
        screen.close()
        screen.deleteLater()
        app.processEvents()
        return painted[0] - start, total

    results = {}
    for name, long_list in (("documents", documents_screen), ("payments", payments_screen)):
        long_times, short_times, rows = [], [], 0
        for _ in range(7):
            seconds, rows = time_to_rows(long_list)
            long_times.append(seconds)
            short_times.append(time_to_rows(one_row_screen)[0])
        results[name] = {"rows": rows, "long_ms": statistics.median(long_times) * 1000, "one_row_ms": statistics.median(short_times) * 1000}
    print(json.dumps(results), flush=True)


def child_memory(mode: str, data_dir: str) -> None:
    """RSS after every screen has been opened (and left), search typed into, vs. a bare window.

    The visits run inside ``app.exec()``, one step per timer tick, as taps do: the screens left are deleted by the
    event loop (``deleteLater``), as in the running kiosk. Before 2026-12-04 they ran outside any loop, where
    ``sendPostedEvents(None, 0)`` delivers no deferred delete, so every screen ever opened stayed alive in the figure.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    if mode == BARE:
        window = QWidget()
        window.resize(1920, 1080)
        window.show()
        app.processEvents()
        print(json.dumps({"rss_mb": _rss_mb()}), flush=True)
        return
    from kiosk.terminal import Terminal
    from ui.fonts import install_cjk_font
    from ui.window import SCREENS, MainWindow

    install_cjk_font(app)
    window = MainWindow(Terminal(Path(data_dir)))
    window.resize(1920, 1080)
    window.show()
    window.warm_up()  # as run_kiosk does

    def taps() -> Iterator[None]:  # one step per event-loop turn
        for large in (False, True):
            window.large = large
            for name in SCREENS:
                window.go_home()
                yield
                window.show_screen(name)
                yield
                if name == "search":
                    for letter in "dibao":
                        window.stack.currentWidget().keyboard.type_letter(letter)
                    yield
                    window.stack.currentWidget().run_search()
                    yield
        window.go_home()
        yield

    steps = taps()

    def step() -> None:
        if next(steps, StopIteration) is StopIteration:
            print(json.dumps({"rss_mb": _rss_mb(), "widgets": len(QApplication.allWidgets())}), flush=True)
            app.quit()
        else:
            QTimer.singleShot(0, step)

    QTimer.singleShot(0, step)
    app.exec()


# ---------------------------------------------------------------------------------- parent side
def _run(args: list[str]) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(CHILD), *args], capture_output=True, text=True, env=env, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare_terminal(store_dir: Path, work: Path) -> Path:
    """A terminal data directory over the province store, placed in its busiest village."""
    data = work / "terminal"
    data.mkdir()
    os.symlink((store_dir / "content.sqlite").resolve(), data / "content.sqlite")
    import sqlite3

    with sqlite3.connect(store_dir / "content.sqlite") as db:
        village = db.execute("SELECT region, COUNT(*) FROM record WHERE kind = 'board' GROUP BY region ORDER BY 2 DESC, 1 LIMIT 1").fetchone()[0]
    (data / "settings.json").write_text(json.dumps({"terminal.region": village, "terminal.name": "基准测试终端"}, ensure_ascii=False))
    return data


def run(store_dir: Path, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data = prepare_terminal(store_dir, Path(tmp))
        bare_start, kiosk_start = [], []
        for _ in range(runs):
            bare_start.append(_run(["--child-paint", BARE, str(data), repr(time.time())])["first_paint_s"])
            kiosk_start.append(_run(["--child-paint", KIOSK, str(data), repr(time.time())])["first_paint_s"])
        lists = _run(["--child-lists", str(data)])
        memory_bare = _run(["--child-memory", BARE, str(data)])["rss_mb"]
        memory_kiosk = _run(["--child-memory", KIOSK, str(data)])["rss_mb"]
        records = int(subprocess.run(["sqlite3", str(store_dir / "content.sqlite"), "SELECT COUNT(*) FROM record"],
                                     capture_output=True, text=True, check=False).stdout.strip() or 0) if shutil.which("sqlite3") else None
    return {
        "date": time.strftime("%Y-%m-%d"), "machine": machine(), "records": records, "runs": runs,
        "start_bare_s": statistics.median(bare_start), "start_kiosk_s": statistics.median(kiosk_start),
        "start_kiosk_all": kiosk_start, "lists": lists, "rss_bare_mb": memory_bare, "rss_kiosk_mb": memory_kiosk,
    }


def markdown(r: dict) -> str:
    docs, pays = r["lists"]["documents"], r["lists"]["payments"]
    size = f" ({r['records']:,} records)" if r["records"] else ""
    return "\n".join([
        f"## Touch screens ({r['date']})",
        "",
        f"Province store{size}, "
        f"{r['machine']}, Qt offscreen platform, `python bench/bench_ui.py` (medians of {r['runs']} fresh processes for start-up).",
        "",
        "| What | Kiosk | Baseline (same run) | Goal |",
        "|---|---|---|---|",
        f"| Cold start to first painted home | {r['start_kiosk_s']:.2f} s | bare PySide6 window {r['start_bare_s']:.2f} s "
        f"({r['start_kiosk_s'] / r['start_bare_s']:.1f}×) | ≤ 1.0 s |",
        f"| Open 政策文件 list of {docs['rows']:,} documents to first painted rows | {docs['long_ms']:.0f} ms | list screen over 1 ready row "
        f"{docs['one_row_ms']:.0f} ms | ≤ 100 ms |",
        f"| Open a list of {pays['rows']:,} payment lines to first painted rows | {pays['long_ms']:.0f} ms | list screen over 1 ready row "
        f"{pays['one_row_ms']:.0f} ms | ≤ 100 ms |",
        f"| RSS after visiting every screen in both modes, search typed into | {r['rss_kiosk_mb']:.0f} MB | bare window {r['rss_bare_mb']:.0f} MB "
        "| ≤ 250 MB |",
        "",
        f"Start-up runs (s): {', '.join(f'{s:.2f}' for s in r['start_kiosk_all'])}.",
    ])


def save(results: dict, out: Path) -> Path:
    """Write ``ui-province.json`` into ``out``, making the folder: with ``--store`` elsewhere nothing else has made it."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "ui-province.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return path


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("--child-"):
        kind = sys.argv[1]
        if kind == "--child-paint":
            child_first_paint(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        elif kind == "--child-lists":
            child_lists(sys.argv[2])
        else:
            child_memory(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=ROOT / "bench" / "out" / "province-store")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="folder for ui-province.json (made if missing)")
    parser.add_argument("--write-doc", action="store_true", help="replace this section in docs/BENCHMARKS.md")
    args = parser.parse_args()
    if not (args.store / "content.sqlite").exists():
        raise SystemExit(f"no store at {args.store}: run `python bench/bench_store.py --scale province` first")
    results = run(args.store, args.runs)
    text = markdown(results)
    print(text)
    save(results, args.out)
    if args.write_doc:
        write_section(ROOT / "docs" / "BENCHMARKS.md", "ui-province", text)


if __name__ == "__main__":
    main()
