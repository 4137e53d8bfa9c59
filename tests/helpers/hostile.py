"""A terminal whose every published text carries markup: what a careless or hostile publisher can put in a title.

Issue 12 item 9: QLabel's default ``Qt.AutoText`` rendered a notice title ``<img src="file:///dev/zero">`` as
HTML and the kiosk aborted at every start (Qt read /dev/zero until std::bad_alloc); another title loaded a
local picture and drew a link. :func:`hostile_terminal` loads the demo county through the normal import,
then republishes (version + 1, through ``store.apply``, the path a sync takes) the text fields of every
kind that reaches a screen with one of :data:`MARKUP` in front, so each list, page, banner and chooser
shows some of it. The picture is ours, magenta, so a test can look for its pixels on screen.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.clock import fixed_clock
from kiosk.records.schema import KINDS_WITHOUT_KEYWORDS
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW

#: A colour no screen uses: if it is on screen, a title's <img> was loaded and drawn.
PROBE_RGB = (255, 0, 255)

#: Texts that look like markup but must be shown as typed. ``{image}`` is a file: URL (see :func:`hostile_markup`).
MARKUP_TEMPLATES = (
    '<img src="{image}">',
    '<a href="file:///etc/passwd">点此</a>',
    "<b>粗</b>",
    "&lt;",
    "<style>",
    "<table>",
)

Record = dict[str, Any]


def probe_image(folder: Path) -> Path:
    """A 64×64 magenta PNG in ``folder``: what an <img> in a title would draw."""
    from PySide6.QtGui import QColor, QImage

    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor(*PROBE_RGB))
    path = folder / "p.png"
    assert image.save(str(path)), path
    return path


def hostile_markup(image_url: str) -> tuple[str, ...]:
    return tuple(template.format(image=image_url) for template in MARKUP_TEMPLATES)


def _prefix(text: str, markup: str) -> str:
    return f"{markup}{text}" if text else text


def _rewrite(record: Record, mark: Callable[[str], str]) -> Record:
    """The record with its on-screen text fields marked (identifiers, enums, dates and numbers untouched)."""
    out = copy.deepcopy(record)
    kind = out["kind"]
    out["version"] += 1

    def fields(target: Record, *names: str) -> None:
        for name in names:
            if isinstance(target.get(name), str) and target[name]:
                target[name] = mark(target[name])

    if kind == "document":
        fields(out, "title", "issuer", "body", "validity_note")
        for attachment in out.get("attachments") or []:
            fields(attachment, "name")
        interpretation = out.get("interpretation")
        if interpretation:
            fields(interpretation, "title", "text")
            interpretation["interpreter"] = f"<b>粗</b>{interpretation['interpreter']}"[:40]  # at most 40 characters
            for pair in interpretation.get("qa", []):
                fields(pair, "q", "a")
    elif kind == "notice":
        fields(out, "title", "body", "issuer")
    elif kind == "service_guide":
        fields(out, "name", "department", "place", "fees", "time_limit")
        out["conditions"] = [mark(c) for c in out.get("conditions", [])]
        out["steps"] = [mark(s) for s in out.get("steps", [])]
        for material in out.get("materials", []):
            fields(material, "name", "form", "note")
    elif kind == "board":
        fields(out, "title")
        for section in out.get("sections", []):
            fields(section, "heading", "body")
        for line in out.get("lines", []):
            fields(line, "summary")
            line["category"] = f"<b>粗</b>{line['category']}"[:40]  # at most 40 characters: the long <img> does not fit
    elif kind == "subsidy_policy":
        fields(out, "name", "department", "purpose", "target", "standard", "basis")
    elif kind == "subsidy_payment":
        fields(out, "policy_name", "note", "quantity")
    elif kind == "region":
        fields(out, "name", "full_name")
    elif kind in ("catalogue_domain", "catalogue_item"):
        fields(out, "name", "description", "content", "subject")
    elif kind == "terminal_profile":
        fields(out, "name")
    elif kind == "life_event":
        fields(out, "summary")
        out["title"] = f"<b>粗</b>{out['title']}"[:20]  # at most 20 characters: the long <img> does not fit
    if kind not in ("terminal_profile", "region", *KINDS_WITHOUT_KEYWORDS):
        out["keywords"] = [*out.get("keywords", []), "<b>粗</b>词"]  # search suggestions (联想) come from keywords too (≤ 40 characters)
    return out


def hostile_terminal(folder: Path, markup: tuple[str, ...]) -> Terminal:
    """An open terminal in ``folder`` (the caller closes it) with the demo county, every text marked up.

    The markup strings are handed out in turn, record after record, so every kind carries every one.
    The terminal's own name (a staff setting, shown in the home header) is marked up as well.
    """
    terminal = Terminal(folder, fixed_clock(TEST_NOW))
    terminal.ensure_demo_content()
    turn = itertools.cycle(markup)
    kinds = [kind for (kind,) in terminal.store.sql("SELECT DISTINCT kind FROM record_full WHERE deleted = 0")]
    batch: list[Record] = []
    for kind in kinds:
        for record in terminal.store.list_records(kind, limit=100_000):
            batch.append(_rewrite(record, lambda text: _prefix(text, next(turn))))
    terminal.store.apply(batch, source="hostile-test")
    terminal.settings.set_local("terminal.name", f"{markup[0]}{terminal.settings['terminal.name']}")
    terminal.reload_settings()
    return terminal
