"""Every label in ui/ and app/ is made by ``ui.widgets.plain_label`` (issue 12 item 9), read off the source.

The second line behind tests/security/test_hostile_screen_text.py, which walks the screens: a new screen
that makes a ``QLabel(`` of its own would show a published title as HTML (Qt's default is AutoText), and
this fails at once, naming the line. Also refused: a QLabel subclass, any ``setTextFormat`` but PlainText,
and the other widgets that render text as rich text on their own (tooltips, message boxes, ``What's this``);
a button's ``setText`` with content must go through ``ui.widgets.button_text`` (a lone ``&`` is a mnemonic).
Rich text for our own markup has one sink: the reading page's QTextBrowser in ui/reading.py, whose content
goes through ``ui.reading.esc``.
"""

from __future__ import annotations

import ast

import pytest

from tests.helpers.paths import ROOT

#: (file, function) where a QLabel may be constructed: the helper itself.
LABEL_FACTORY = ("ui/widgets.py", "plain_label")
#: Calls that render their text as rich text whatever the content, and so must never get content.
RICH_SINKS = frozenset({"setToolTip", "setWhatsThis", "setStatusTip", "QMessageBox", "QToolTip", "QTextEdit", "setMarkdown",
                        "QGraphicsTextItem", "QStaticText"})
#: Where rich text (our fixed markup, content escaped by ui.reading.esc) is allowed: the reading page.
RICH_TEXT_HOME = {"ui/reading.py": {"QTextBrowser", "setHtml"},
                  # the search results' excerpt line: ui.search.marked_html escapes every character of the record
                  # and adds only its own <b>/<span> around the matched words (tests/ui/test_screens.py checks it escapes markup)
                  "ui/search.py": {"setHtml"}}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _button_safe(node: ast.expr) -> bool:
    """A button text that shows as typed: through button_text, our own words (tr/ntr), or a literal."""
    if isinstance(node, ast.IfExp):
        return _button_safe(node.body) and _button_safe(node.orelse)
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, ast.Call) and _name(node.func) in ("button_text", "tr", "ntr")


def label_problems(source: str, where: str) -> list[str]:
    """What in ``source`` (the file ``where``, relative to the repository) could show text as rich text."""
    tree = ast.parse(source, filename=where)
    problems: list[str] = []
    allowed_rich = RICH_TEXT_HOME.get(where, set())

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.ClassDef) and any(_name(base) == "QLabel" for base in node.bases):
            problems.append(f"{where}:{node.lineno} subclasses QLabel (make labels with ui.widgets.plain_label)")
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called == "QLabel" and (where, function) != LABEL_FACTORY:
                problems.append(f"{where}:{node.lineno} makes a QLabel( (use ui.widgets.plain_label: QLabel's default renders HTML)")
            if called == "setTextFormat" and not (node.args and _name(node.args[0]) == "PlainText"):
                problems.append(f"{where}:{node.lineno} sets a text format other than Qt.TextFormat.PlainText")
            if called in RICH_SINKS:
                problems.append(f"{where}:{node.lineno} calls {called}, which renders its text as rich text")
            if called == "setText" and "button" in _name(node.func.value).lower() and node.args and not _button_safe(node.args[0]):  # type: ignore[attr-defined]
                problems.append(f"{where}:{node.lineno} sets a button's text without ui.widgets.button_text (a lone & is eaten)")
            if called in ("QTextBrowser", "setHtml") and called not in allowed_rich:
                problems.append(f"{where}:{node.lineno} calls {called} outside the reading page (ui/reading.py)")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "")
    return problems


@pytest.mark.parametrize("package", ["ui", "app"])
def test_every_label_is_plain_text(package: str) -> None:
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        problems += label_problems(path.read_text(encoding="utf-8"), where)
    assert problems == [], "\n".join(problems)


def test_the_factory_is_there_and_sets_the_format_first() -> None:
    """plain_label sets PlainText before any text: setText under AutoText already parses and loads pictures."""
    tree = ast.parse((ROOT / LABEL_FACTORY[0]).read_text(encoding="utf-8"))
    factory = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == LABEL_FACTORY[1])
    calls = [_name(node.func) for node in ast.walk(factory) if isinstance(node, ast.Call)]
    assert calls.index("setTextFormat") < calls.index("setText"), calls
    construct = next(node for node in ast.walk(factory) if isinstance(node, ast.Call) and _name(node.func) == "QLabel")
    assert not construct.args, "QLabel(text) parses the text before the format is set"


def test_the_checker_would_catch_a_violation() -> None:
    bad = (
        "from PySide6 import QtWidgets\n"
        "from PySide6.QtWidgets import QLabel\n"
        "a = QLabel('x')\n"
        "b = QtWidgets.QLabel()\n"
        "class Title(QLabel):\n    pass\n"
        "b.setTextFormat(Qt.TextFormat.RichText)\n"
        "b.setToolTip(title)\n"
        "view.setHtml(body)\n"
        "def plain_label(text):\n    return QLabel(text)\n"
        "self.village_button.setText(name)\n"
        "self.village_button.setText(button_text(name) if name else tr('全部'))\n"
    )
    problems = label_problems(bad, "ui/bad.py")
    lines = sorted(int(problem.split(":")[1].split()[0]) for problem in problems)
    assert lines == [3, 4, 5, 7, 8, 9, 11, 12], problems  # plain_label outside ui/widgets.py is no excuse either
    assert label_problems("b.setTextFormat(Qt.TextFormat.PlainText)\n", "ui/ok.py") == []
    assert label_problems("view.setHtml(body)\n", "ui/reading.py") == []
