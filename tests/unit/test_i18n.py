"""One translation catalogue (STYLE.md §2): every word on screen, on paper and on the portal's pages.

- No user-visible literal outside the catalogue: a Chinese literal must be the id of a ``tr``/``ntr``/
  ``ptr``/``N_``/``lazy_tr`` call; an English literal must not be handed to a widget, a reading-page
  part, a list row or a printed paragraph; nothing compares the language to pick a text inline.
- The catalogues are current: every id the code uses is in them, English translates each one, and
  the checked-in 繁體中文 is exactly what OpenCC generates from the ids.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.i18n import LANGUAGES, LazyText, format_day, lazy_tr, negotiate, ntr, ptr, tr
from tests.helpers.paths import ROOT

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
#: English as people read it: a capitalised word, or two words (identifiers such as "issuer" or "a4" are not prose).
PROSE = re.compile(r"\b[A-Z][a-z]+\b|[A-Za-z]{2,}\W+[A-Za-z]{2,}|\s[A-Za-z]{3,}")
#: Where user-visible text is made: the screens, the printouts, the portal's pages and the core's wording.
SCOPE = ("ui", "printing", "sync/portal", "kiosk/home.py", "kiosk/labels.py", "kiosk/money.py", "kiosk/browse.py", "kiosk/share.py",
         "kiosk/syncstatus.py")
TEMPLATES = ("sync/portal/templates",)
CATALOGUE_CALLS = {"tr", "ntr", "ptr", "N_", "NP_", "lazy_tr", "labelled", "_"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
#: Calls whose arguments a person sees or reads: an English literal here bypasses the catalogue.
SINKS = {"QLabel", "QPushButton", "big_button", "_label", "setText", "setAccessibleName", "setWindowTitle", "setToolTip",
         "setPlaceholderText", "Part", "Row", "Chooser", "KeyboardPanel", "para", "Stamp", "Section", "ItemView"}
#: Literals that are not our words, each with the reason. Keys: (path, the literal's start).
ALLOWED: dict[tuple[str, str], str] = {
    ("printing/fonts.py", "中文公开打印"): "characters a font must draw to be chosen; never shown",
    ("sync/portal/cli.py", "Reference portal for disclosure kiosks (参考门户服务)."): "staff command line, English with the Chinese name",
    ("ui/speech.py", "普通话"): "the voices' names, for staff log lines",
    ("ui/speech.py", "粤语"): "the voices' names, for staff log lines",
}
#: Modules whose literals are for staff or machines, not for the person at the kiosk or on the phone.
NOT_USER_TEXT = {
    "sync/portal/cli.py": "kiosk-portal: the staff command line speaks English",
    "sync/portal/app.py": "the upload API's JSON errors (message and message_zh) are a protocol for terminals, PROTOCOL.md",
    "sync/portal/models.py": "database tables",
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr in LOG_METHODS and _call_name(func.value) in {"log", "logger", "logging", "_log"}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def check_source(source: str, path: str) -> list[Violation]:
    """Every literal in ``source`` a person would see without it passing through the catalogue."""
    tree = ast.parse(source, filename=path)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    docstrings = _docstrings(tree)
    out: list[Violation] = []

    def ancestors(node: ast.AST) -> list[ast.AST]:
        chain = []
        while id(node) in parents:
            node = parents[id(node)]
            chain.append(node)
        return chain

    def catalogued(node: ast.AST, chain: list[ast.AST]) -> bool:
        """The literal is a message id: a direct argument of a catalogue call."""
        parent = chain[0] if chain else None
        return isinstance(parent, ast.Call) and _call_name(parent) in CATALOGUE_CALLS and node in parent.args

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(c, ast.Constant) and c.value in LANGUAGES for c in [node.left, *node.comparators]
        ) and path != "kiosk/i18n.py":
            out.append(Violation(path, node.lineno, ast.unparse(node), "picks a text by comparing the language (use the catalogue)"))
        if isinstance(node, ast.Call) and _call_name(node) in CATALOGUE_CALLS and any(isinstance(a, ast.JoinedStr) for a in ancestors(node)):
            out.append(Violation(path, node.lineno, ast.unparse(node), "a catalogue call inside an f-string is invisible to the extractor"))
        if isinstance(node, ast.JoinedStr):
            chain = ancestors(node)
            if any(isinstance(a, ast.Call) and _call_name(a) in CATALOGUE_CALLS for a in chain[:1]):
                out.append(Violation(path, node.lineno, ast.unparse(node), "an f-string as a message id cannot be extracted"))
            continue
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings:
            continue
        text = node.value
        if (path, text) in ALLOWED or any(path == p and text.startswith(start) for p, start in ALLOWED):
            continue
        chain = ancestors(node)
        if catalogued(node, chain) or any(isinstance(a, ast.Call) and _is_log_call(a) for a in chain):
            continue
        if chain and isinstance(chain[0], ast.Compare):
            continue  # a record's value compared with one of its fixed words (validity == "现行有效"): data, not display
        if CJK.search(text):
            out.append(Violation(path, node.lineno, text, "Chinese text outside the catalogue"))
            continue
        parent = chain[0] if chain else None
        if parent is not None and isinstance(parent, ast.JoinedStr):  # a piece of an f-string: judge where the f-string goes
            chain = chain[1:]
            parent = chain[0] if chain else None
        if isinstance(parent, ast.Call) and _call_name(parent) in SINKS and PROSE.search(text) and any(
            arg is node or (isinstance(arg, ast.JoinedStr) and node in arg.values) for arg in parent.args
        ):
            out.append(Violation(path, node.lineno, text, f"English text handed to {_call_name(parent)}() outside the catalogue"))
    return out


class _Text(HTMLParser):
    """The text a browser shows: character data outside <style> and <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.pieces.append(data.strip())


def check_template(source: str, path: str) -> list[Violation]:
    """Words a Jinja template shows outside ``{{ _("…") }}``: rendered with ``_`` giving nothing and every value
    empty (one of each list, both branches), whatever text is left on the page did not come from the catalogue."""
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(source)
    section = SimpleNamespace(heading="", paragraphs=[""], items=[""], ordered=False, columns=[""], rows=[["", "", "", ""]])
    view = SimpleNamespace(kind_label="", badges=[""], title="", fields=[("", "")], sections=[section], attachments=[("", "", "")],
                           updated_at="-")
    out = []
    for shown in (view, None):
        html = template.render(_=lambda message, **values: "", view=shown, languages=[("", "", True, ""), ("", "", False, "")], html_lang="",
                               title="", record_id="", heading="", message="")
        parser = _Text()
        parser.feed(html)
        out += [Violation(path, 0, text, "words in a template outside the catalogue") for text in parser.pieces
                if (CJK.search(text) or PROSE.search(text)) and all(v.text != text for v in out)]
    return out


def user_text_modules() -> list[Path]:
    paths: list[Path] = []
    for entry in SCOPE:
        target = ROOT / entry
        paths += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return [p for p in paths if str(p.relative_to(ROOT)) not in NOT_USER_TEXT]


def test_no_user_visible_literal_outside_the_catalogue() -> None:
    violations: list[Violation] = []
    for path in user_text_modules():
        violations += check_source(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    for folder in TEMPLATES:
        for path in sorted((ROOT / folder).rglob("*.html")):
            violations += check_template(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not violations, f"{len(violations)} literal(s) outside the catalogue:\n" + "\n".join(map(str, violations))


def test_the_checker_catches_what_it_is_meant_to_catch() -> None:
    bad = '''
label = QLabel("返回")
button = big_button("Back", scale)
title = "政策文件" if lang != "en" else "Policy documents"
part = Part(f"附件（{n}）", speech)
row = Row(f"{count} items", "")
shown = tr(f"共 {n} 条", lang)
heading = f"<h2>{tr('附件', lang)}</h2>"
'''
    found = check_source(bad, "ui/bad.py")
    reasons = [v.why for v in found]
    chinese = {v.text for v in found if "Chinese text" in v.why}
    assert {"返回", "政策文件", "附件（"} <= chinese
    assert any("English text handed to big_button" in r for r in reasons)
    assert any("English text handed to Row" in r for r in reasons)
    assert any("comparing the language" in r for r in reasons)
    assert any("f-string as a message id" in r for r in reasons)
    assert any("invisible to the extractor" in r for r in reasons)
    good = '''
"""A docstring may say 返回."""
label = QLabel(tr("返回", lang))
count = ntr("{n} 页", "{n} 页", pages, lang)
log.warning("printer not ready: %s 缺纸", reason)
button = big_button(tr("打印", lang), scale, name="print-confirm")
LABELS = (N_("现行有效"), N_("已废止"))
'''
    assert check_source(good, "ui/good.py") == []
    template = '<h2>{{ _("附件") }}</h2><footer>信息编号：{{ record_id }}</footer><p>Not found</p>'
    assert len(check_template(template, "t.html")) == 2


# ---------------------------------------------------------------------------------------- catalogues
@pytest.fixture(scope="module")
def catalogue_tool():
    from tools import i18n as tool

    return tool


@pytest.fixture(scope="module")
def wanted(catalogue_tool):
    return catalogue_tool.generated()


def test_the_catalogues_are_current_with_the_code(catalogue_tool, wanted) -> None:
    """Every id in the code is in the .po files and nothing else is: run `python tools/i18n.py update`."""
    assert catalogue_tool.stale_languages(wanted) == [], "run: .venv/bin/python tools/i18n.py update"


def test_every_message_has_an_english_translation(catalogue_tool, wanted) -> None:
    assert catalogue_tool.untranslated(wanted["en"]) == []


def test_zh_hant_is_what_opencc_generates(catalogue_tool) -> None:
    """The checked-in 繁體中文 catalogue is a regeneration from the ids, never a hand edit."""
    checked_in = catalogue_tool.entries(catalogue_tool.read("zh_Hant"))
    regenerated = catalogue_tool.entries(catalogue_tool.traditional(catalogue_tool.template()))
    assert checked_in == regenerated


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", ["en", "zh_Hant"])
def test_translations_keep_the_placeholders(catalogue_tool, lang: str) -> None:
    """A translation that drops or renames {count} would fail at run time, on a person's screen."""
    bad = []
    for message in catalogue_tool.read(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(_fields(i) for i in ids))
        for text in strings:
            if text and _fields(text) - expected - {"n"}:
                bad.append((ids[0], text))
            if text and message.context != "date pattern" and _fields(ids[0]) - {"n"} - _fields(text):
                bad.append((ids[0], text))
    assert bad == []


# ---------------------------------------------------------------------------------------- runtime
def test_three_languages_from_one_id() -> None:
    assert tr("政策文件", "zh_CN") == "政策文件"
    assert tr("政策文件", "en") == "Policy documents"
    assert tr("政策文件", "zh_Hant") == "政策文件"
    assert tr("内容截至 {when}", "zh_Hant", when="2026-11-21") == "內容截至 2026-11-21"
    assert tr("no such id", "en") == "no such id"  # an id missing from a catalogue shows as itself, never as nothing
    with pytest.raises(ValueError, match="unknown language"):
        tr("返回", "fr")


def test_plurals_and_contexts() -> None:
    assert ntr("{n} 项", "{n} 项", 1, "en") == "1 item"
    assert ntr("{n} 项", "{n} 项", 3, "en") == "3 items"
    assert ntr("{n} 项", "{n} 项", 3, "zh_CN") == "3 项"
    assert ptr("date pattern", "yyyy-MM-dd", "zh_CN") == "yyyy-MM-dd"


def test_dates_per_language() -> None:
    assert format_day("2026-11-21", "zh_CN") == "2026-11-21"
    assert format_day("2026-11-21", "en") == "21 Nov 2026"
    assert format_day("not a date", "en") == "not a date"


def test_lazy_text_renders_later_in_any_language() -> None:
    text = lazy_tr("内容截至 {when}", when="2026-11-21")
    assert isinstance(text, LazyText)
    assert text.zh == "内容截至 2026-11-21"
    assert text.render("en") == "Content as of 2026-11-21"


@pytest.mark.parametrize(("header", "query", "expected"), [
    (None, None, "zh_CN"),
    ("zh-CN,zh;q=0.9", None, "zh_CN"),
    ("zh-TW,zh;q=0.9,en;q=0.8", None, "zh_Hant"),
    ("zh-HK", None, "zh_Hant"),
    ("en-US,en;q=0.9", None, "en"),
    ("fr-FR,en;q=0.5", None, "en"),
    ("fr-FR", None, "zh_CN"),
    ("en-US", "zh_Hant", "zh_Hant"),
])
def test_the_portal_negotiates_a_language(header: str | None, query: str | None, expected: str) -> None:
    assert negotiate(header, query) == expected


def test_every_fixed_word_of_the_records_is_in_the_catalogue() -> None:
    """Validity, frequencies, audiences … are our words (kiosk/labels.py VALUE_WORDS); a new enum value must join them."""
    from kiosk.labels import VALUE_WORDS
    from kiosk.records.schema import KIND_PROPERTIES

    def enums(schema: object) -> set[str]:
        found: set[str] = set()
        if isinstance(schema, dict):
            found |= {v for v in schema.get("enum", []) if isinstance(v, str) and CJK.search(v)}
            for value in schema.values():
                found |= enums(value)
        elif isinstance(schema, list | tuple):
            for value in schema:
                found |= enums(value)
        return found

    words = enums(KIND_PROPERTIES)
    assert {"已废止", "每季度", "个人服务", "已发放"} <= words  # the walk reaches the enums
    assert words - set(VALUE_WORDS) == set()
    assert all(tr(word, "en") != word for word in VALUE_WORDS)


def test_money_and_periods_in_three_languages() -> None:
    from kiosk.i18n import money_words
    from kiosk.labels import period_label

    assert money_words(129600, "zh_CN") == "1,296.00元" and money_words(129600, "en") == "1,296.00 yuan"
    assert [period_label(p, "zh_CN") for p in ("2025-Q4", "2026-03", "2026-H1", "2026")] == ["2025年第四季度", "2026年3月", "2026年上半年", "2026年"]
    assert [period_label(p, "en") for p in ("2025-Q4", "2026-03", "2026-H1", "2026")] == ["Q4 2025", "Mar 2026", "H1 2026", "2026"]
    assert period_label("2025-Q4", "zh_Hant") == "2025年第四季度"
