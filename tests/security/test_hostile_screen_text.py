"""Published text is shown as text on every screen, never read as HTML (issue 12 item 9).

A publisher (or whoever controls a feed) writes titles, names, bodies and place names; staff write the
terminal's name; a person types a search. QLabel's default ``Qt.AutoText`` turned any of them that looked
like markup into rich text: ``<img src="file:///dev/zero">`` in a notice title made the kiosk read /dev/zero
until std::bad_alloc aborted it at every start, and ``<img src="file:///…">`` / ``<a href=…>`` drew a local
picture and a link. Here the demo county is republished with markup in every text field
(tests/helpers/hostile.py) and every screen is walked:

* every visible label is ``Qt.PlainText`` and shows the markup literally (``<img`` in its text);
* every reading page (the one QTextBrowser, our own markup) shows it literally too: its document holds no
  image and no link, so every piece of content went through ``ui.reading.esc``;
* the magenta picture the titles point at is nowhere in the window's pixels;
* the real ``kiosk run`` starts and renders, under a 3 GB address-space cap, with ``file:///dev/zero`` in every
  title (before the fix it aborted in about 4 s, rc 134; without the cap the OOM killer ended it);
* printed pages show the markup as text (reportlab's Paragraph parses markup; ``printing/layout.py``
  ``Styles.para`` escapes through ``PrintFonts.markup``).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QTextDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QListView, QTextBrowser, QWidget

from kiosk.terminal import Terminal
from printing.render import PrintContext, render_record
from tests.helpers.clock import TEST_ENV, TEST_NOW
from tests.helpers.hostile import PROBE_RGB, hostile_markup, hostile_terminal, probe_image
from tests.helpers.paths import ROOT
from tests.helpers.qt import open_window
from tests.printing.pdf_helpers import page_images, page_texts, save_screenshot
from ui.printing import PrintButtons, PrintPreview
from ui.reading import ReadingScreen
from ui.window import SCREENS, MainWindow

SHOTS = ROOT / ".data" / "screenshots" / "hostile"
ADDRESS_SPACE_CAP_BYTES = 3 * 1024**3  # a normal start needs well under this; reading /dev/zero needs all of it


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def markup(qapp) -> Iterator[tuple[str, ...]]:
    """The markup, its picture in a short folder: names allow 60 characters, and the pytest folders are long."""
    short = Path(tempfile.mkdtemp(prefix="kh", dir="/tmp"))
    try:
        yield hostile_markup(probe_image(short).as_uri())
    finally:
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture(scope="module")
def hostile(qapp, folder: Path, markup: tuple[str, ...]) -> Iterator[Terminal]:
    from ui.fonts import install_cjk_font

    assert install_cjk_font(qapp), "no CJK font installed: run scripts/setup-system.sh"
    terminal = hostile_terminal(folder / "terminal", markup)
    try:
        yield terminal
    finally:
        terminal.close()


def _has_probe_pixels(widget: QWidget) -> bool:
    """Whether the magenta of the probe picture is anywhere in the widget's rendered pixels."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(image.constBits())
    pixel = QColor(*PROBE_RGB).rgb().to_bytes(4, "little")  # 0xAARRGGBB stored little-endian: B G R A
    at = data.find(pixel)
    while at != -1:
        if at % 4 == 0:
            return True
        at = data.find(pixel, at + 1)
    return False


def _links_and_images(document: QTextDocument) -> list[str]:
    """Every link and picture the page's document holds, table cells included: our reading markup has none."""
    found = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().isAnchor():
                found.append(f"a link ({fragment.charFormat().anchorHref()!r} on {fragment.text()!r})")
            if fragment.charFormat().isImageFormat():
                found.append(f"a picture ({fragment.charFormat().toImageFormat().name()!r})")
            fragments += 1
        block = block.next()
    return found


class Walk:
    """What the finger saw: every label and reading page on every state, and what was wrong with them."""

    def __init__(self, window: MainWindow, markup: tuple[str, ...]) -> None:
        self.window, self.markup = window, markup
        self.problems: list[str] = []
        self.labels: dict[str, list[str]] = {}  # state → label texts that carried markup
        self.pages: dict[str, list[str]] = {}  # state → reading-page texts that carried markup
        self.drawn: dict[str, list[str]] = {}  # state → list rows and buttons (plain text by nature) that carried markup

    def marked(self, text: str) -> bool:
        return any(piece in text for piece in self.markup)

    def look(self, state: str) -> None:
        QApplication.processEvents()
        labels = [w for w in self.window.findChildren(QLabel) if w.isVisible()]
        assert labels, f"{state}: no label on screen"
        for label in labels:
            name = label.objectName() or label.text()[:20]
            if label.textFormat() != Qt.TextFormat.PlainText:
                self.problems.append(f"{state}: label {name!r} has text format {label.textFormat().name}, not PlainText")
            if self.marked(label.text()):
                self.labels.setdefault(state, []).append(label.text())
        for browser in (w for w in self.window.findChildren(QTextBrowser) if w.isVisible()):
            for what in _links_and_images(browser.document()):
                self.problems.append(f"{state}: reading page holds {what} (content not escaped)")
            if self.marked(browser.toPlainText()):
                self.pages.setdefault(state, []).append(browser.toPlainText())
        buttons = [w for w in self.window.findChildren(QAbstractButton) if w.isVisible()]
        for button in buttons:
            if not QKeySequence.mnemonic(button.text()).isEmpty():
                self.problems.append(f"{state}: button {button.text()!r} eats an & as a keyboard mnemonic (not set through button_text)")
        drawn = [button.text().replace("&&", "&") for button in buttons]  # what the button shows
        for view in (w for w in self.window.findChildren(QListView) if w.isVisible()):
            rows = [view.model().index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(min(view.model().rowCount(), 20))]
            drawn += [text for row in rows for text in (row.title, row.subtitle, row.value)]
        self.drawn[state] = [text for text in drawn if self.marked(text)]
        if _has_probe_pixels(self.window):
            self.problems.append(f"{state}: the picture a title points at is drawn on screen")

    def named(self, object_name: str) -> str:
        QApplication.processEvents()
        found = [w for w in self.window.findChildren(QLabel, object_name) if w.isVisible()]
        assert found, f"no visible label {object_name!r}"
        return found[-1].text()


def _reading(window: MainWindow) -> ReadingScreen:
    screen = window.stack.currentWidget()
    assert isinstance(screen, ReadingScreen), screen
    return screen


def _states(window: MainWindow, qtbot) -> list[tuple[str, Callable[[], None]]]:
    """Every screen and cover a person can reach, as (name, how to get there from home)."""
    def screen(name: str) -> Callable[[], None]:
        return lambda: window.show_screen(name)

    def every_part(name: str) -> Callable[[], None]:
        def go() -> None:
            window.show_screen(name)
            _reading(window).show_part(len(_reading(window).parts) - 1)
        return go

    def board(kind: str) -> Callable[[], None]:
        def go() -> None:
            window.show_screen("boards")
            _reading(window).choose(kind)
        return go

    def search(text: str) -> Callable[[], None]:
        def go() -> None:
            window.show_screen("search")
            screen = window.stack.currentWidget()
            screen.keyboard.set_text(text)
            screen.run_search()  # what the debounce timer does a moment later
        return go

    def chooser(name: str, open_it: Callable[[QWidget], None]) -> Callable[[], None]:
        def go() -> None:
            window.show_screen(name)
            open_it(window.stack.currentWidget())
        return go

    def idle_warning() -> None:
        window.show_screen("documents")
        window.session.warn(25)

    def preview() -> None:
        window.show_screen("document")
        buttons = window.stack.currentWidget().findChild(PrintButtons, "print-buttons")
        assert buttons is not None, "no print buttons on the document page"
        buttons._preview("a4")
        shown = window.findChild(PrintPreview, "print-preview")
        qtbot.waitUntil(lambda: shown.print_button.isEnabled(), timeout=15000)

    states: list[tuple[str, Callable[[], None]]] = [(name, screen(name)) for name in SCREENS]
    states += [
        ("attract", window.session.show_attract),
        ("document-interpretation", every_part("document")),
        ("boards-finance", board("finance")), ("boards-village", board("village")), ("boards-party", board("party")),
        ("search-typed", search("溪源")), ("search-markup-typed", search("<b>粗</b>")),
        ("chooser-policy", chooser("payments", lambda s: s._choose_policy())),
        ("chooser-village", chooser("payments", lambda s: s._choose_village())),
        ("chooser-issuer", chooser("documents", lambda s: s._choose("issuer"))),
        ("keyboard", chooser("payments", lambda s: s._open_keyboard())),
        ("idle-warning", idle_warning),
        ("print-preview", preview),
    ]
    return states


def test_every_screen_shows_published_markup_as_text(qtbot, hostile: Terminal, markup: tuple[str, ...]) -> None:
    window = open_window(qtbot, hostile, size=(1920, 1080))
    SHOTS.mkdir(parents=True, exist_ok=True)
    walk = Walk(window, markup)
    for state, go in _states(window, qtbot):
        window.reset_session()
        go()
        walk.look(state)
        if state in ("home", "documents", "attract", "search-typed"):
            window.grab().save(str(SHOTS / f"{state}.png"))
        if state == "home":
            assert walk.marked(walk.named("urgent-banner")), "the urgent banner should carry a marked-up title"
            assert walk.marked(walk.named("notice-ticker")), "the ticker should carry a marked-up title"
            assert walk.marked(walk.named("place-name")) and walk.named("terminal-name").startswith(markup[0])
        if state == "attract":
            assert walk.marked(walk.named("attract-notice"))
            window.session.close_attract()
        if state == "idle-warning":
            window.session.close_warning()
        if state == "attachments":
            assert walk.marked(walk.named("attachment-name"))
        if state == "search-markup-typed":
            assert walk.named("search-query") == "<b>粗</b>"
    assert not walk.problems, "\n".join(walk.problems)
    shown = "\n".join(text for texts in [*walk.labels.values(), *walk.pages.values()] for text in texts)
    missing = [piece for piece in markup if piece not in shown]
    assert not missing, f"never shown literally: {missing}"
    assert "<img src=" in shown and '<a href="file:///etc/passwd">' in shown  # shown as the characters typed
    plain_only = {"home", "attract", "payments", "attachments", "search-markup-typed"}
    assert plain_only <= set(walk.labels), f"states whose labels never showed markup: {sorted(plain_only - set(walk.labels))}"
    lists = {"documents", "notices", "guides", "search-typed", "payments", "catalogue", "chooser-issuer", "chooser-village",
             "chooser-policy"}
    bare = sorted(lists - {state for state, texts in walk.drawn.items() if texts})
    assert not bare, f"lists and choosers that never showed markup: {bare}"
    read = {"document", "document-interpretation", "notice", "guide", "policy", "boards-village", "boards-party"}
    assert read <= set(walk.pages), f"reading pages that never showed markup: {sorted(read - set(walk.pages))}"


def test_a_rich_text_label_is_caught(qtbot, markup: tuple[str, ...]) -> None:
    """The walk is not a rubber stamp: an AutoText label with the probe picture fails on both counts."""
    host = QWidget()
    qtbot.addWidget(host)
    label = QLabel(f"{markup[0]} 标题", host)  # AutoText, the default the kiosk used to have
    label.setMinimumSize(200, 100)
    host.resize(300, 200)
    host.show()
    qtbot.waitExposed(host)
    walk = Walk(host, markup)  # type: ignore[arg-type]
    walk.look("probe")
    assert any("not PlainText" in p for p in walk.problems), walk.problems
    assert any("picture" in p for p in walk.problems), walk.problems


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP_BYTES, ADDRESS_SPACE_CAP_BYTES))


@pytest.mark.slow
@pytest.mark.parametrize("screen", ["home", "notices", "document", "attachments", "documents", "boards"])
def test_kiosk_starts_with_dev_zero_in_every_title(tmp_path: Path, screen: str) -> None:
    """The issue's title in every record, through the real entry point, with a memory cap so a regression aborts fast."""
    with hostile_terminal(tmp_path / "data", ('<img src="file:///dev/zero">',)):
        pass
    target = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "app.main", "run", "--data-dir", str(tmp_path / "data"), "--no-sync", "--screenshot", str(target),
         "--screen", screen],
        cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=_capped,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)), **TEST_ENV},
    )
    assert result.returncode == 0, f"kiosk run --screen {screen} ended with {result.returncode}: {result.stderr[-2000:]}"
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1920, 1080)
    if screen == "home":
        SHOTS.mkdir(parents=True, exist_ok=True)
        image.save(str(SHOTS / "dev-zero-home.png"))


def test_printed_pages_show_markup_as_text(hostile: Terminal, markup: tuple[str, ...]) -> None:
    """reportlab's Paragraph parses <b>, <font>, <img>, &…; a title must print as typed, and print at all."""
    context = PrintContext.of(hostile, TEST_NOW)
    notice = hostile.store.list_records("notice", limit=1)[0]
    assert any(piece in notice["title"] for piece in markup)
    document = next(r for r in hostile.store.list_records("document", limit=400) if r["title"].startswith("<b>粗</b>"))
    for record in (notice, document):
        pdf = render_record(context, record["id"])
        text = "".join(page_texts(pdf.data)).replace("\n", "").replace(" ", "")
        title = record["title"].replace(" ", "")
        assert title[:30] in text, f"{record['id']}: the printed page does not show {title[:30]!r}"
    save_screenshot(page_images(pdf.data, dpi=80, pages=1)[0], "hostile-title.png")
