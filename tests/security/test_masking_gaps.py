"""Issue 12, item 11: payment masking has no gaps (pre-masked names, separators, invisible characters).

The review stored these unmasked:

- a recipient that already contained ``*`` (``王小明*``): ``mask_name`` returned any name with a
  star unchanged, taking it for masked;
- ID numbers split by dots, zero-width spaces or ideographic spaces (``430521.19800101.1234``,
  ``4305211980\\u200b01011234``, ``430521\\u300019800101\\u30001234``);
- bank cards and mobiles split by dots (``6222.0202.1234.5678.901``, ``138.1234.5678``).

Attacks: a real ``kiosk import`` of such payments, then the store's own file and ``kiosk search``
for the numbers; then property tests (hypothesis) over every way of writing a number the review
tried and more: any mix of separators between any digits, format characters (Unicode category
Cf) anywhere, full-width digits, text around it; masking twice changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.privacy import COMPOUND_SURNAMES, MASK, mask_name, mask_numbers, mask_payment
from tests.helpers.clock import TEST_ENV
from tests.helpers.paths import ROOT
from tests.helpers.records import VILLAGE, make

KIOSK = ROOT / ".venv" / "bin" / "kiosk"
ID_NUMBER = "430521198001011234"
CARD = "6222020212345678901"
MOBILE = "13812345678"
ZWSP, WORD_JOINER, BOM, SOFT_HYPHEN, IDEOGRAPHIC_SPACE = "\u200b", "\u2060", "\ufeff", "\u00ad", "\u3000"

# How the review (and we) wrote the numbers into a payment's note, and what must not survive.
WRITTEN: list[tuple[str, str]] = [
    ("430521.19800101.1234", ID_NUMBER),
    ("4305211980" + ZWSP + "01011234", ID_NUMBER),
    ("430521" + IDEOGRAPHIC_SPACE + "19800101" + IDEOGRAPHIC_SPACE + "1234", ID_NUMBER),
    ("4" + ZWSP.join("30521198001011234"), ID_NUMBER),
    ("430521_19800101_1234", ID_NUMBER),
    ("430521/19800101/1234", ID_NUMBER),
    ("４３０５２１１９８００１０１１２３４", ID_NUMBER),  # full-width digits
    ("6222.0202.1234.5678.901", CARD),
    ("6222" + WORD_JOINER + "0202" + BOM + "1234" + SOFT_HYPHEN + "5678901", CARD),
    ("138.1234.5678", MOBILE),
    ("138" + ZWSP + "1234" + ZWSP + "5678", MOBILE),
]


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(p) for p in command], cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **TEST_ENV})


def digits_of(text: str) -> str:
    """The ASCII digits a reader (or a search) would see in ``text``, whatever they were written in."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch in "0123456789")


# ------------------------------------------------------------------------------ the real terminal
@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A terminal in the village that imported one payment per way of writing, plus a pre-masked name."""
    base = tmp_path_factory.mktemp("masking")
    data = base / "terminal"
    payments = [
        make("subsidy_payment", f"pay-sec-mask-{index}", note=f"代领人号码{written}，已告知") for index, (written, _) in enumerate(WRITTEN)
    ]
    payments.append(make("subsidy_payment", "pay-sec-star", recipient="王小明*"))
    usb = base / "usb" / "payment.jsonl"
    usb.parent.mkdir()
    usb.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payments), encoding="utf-8")
    assert run(KIOSK, "config", "set", "terminal.region", VILLAGE, "--data-dir", data).returncode == 0
    result = run(KIOSK, "import", usb, "--data-dir", data)
    assert result.returncode == 0, result.stderr
    return data


def stored(data: Path, record_id: str) -> dict[str, Any]:
    with sqlite3.connect(data / "content.sqlite") as db:
        (text,) = db.execute("SELECT data FROM record_full WHERE record_id = ?", (record_id,)).fetchone()
    return json.loads(text)


def test_a_recipient_with_a_star_is_masked_again_in_the_store(imported: Path) -> None:
    recipient = stored(imported, "pay-sec-star")["recipient"]
    assert "小" not in recipient and "明" not in recipient, recipient
    assert recipient.startswith("王")


@pytest.mark.parametrize(("index", "secret"), [(index, secret) for index, (_, secret) in enumerate(WRITTEN)])
def test_split_numbers_are_masked_in_the_store_and_not_found_by_search(imported: Path, index: int, secret: str) -> None:
    note = stored(imported, f"pay-sec-mask-{index}")["note"]
    visible = digits_of(note)
    if secret == MOBILE:
        assert visible == "1385678", note  # 138****5678: the convention for mobiles
    else:
        assert visible == "", note
    with sqlite3.connect(imported / "content.sqlite") as db:
        rows = db.execute(
            "SELECT f.title, f.aliases, f.body FROM search_fts f JOIN record r ON r.pk = f.rowid WHERE r.record_id = ?",
            (f"pay-sec-mask-{index}",),
        ).fetchall()
    assert rows, "the payment is indexed"
    indexed = [text for row in rows for text in row if text]
    assert not [text for text in indexed if secret in digits_of(text)]
    hits = run(KIOSK, "search", secret[4:12], "--json", "--data-dir", imported)
    assert hits.returncode == 0 and json.loads(hits.stdout) == [], hits.stdout


# ------------------------------------------------------------------------------ properties
SEPARATORS = ["", " ", "-", ".", "_", "/", IDEOGRAPHIC_SPACE, ZWSP, WORD_JOINER, BOM, SOFT_HYPHEN, "\u200c", "\u200d", "\u2063"]
AROUND = st.text(alphabet="身份证号码卡银行手机联系电话备注已告知代领人，。：（）王李张", max_size=12)


def written(digits: str, draw: st.DrawFn) -> str:
    """``digits`` as a person or an attacker might type them: separators anywhere, some digits full-width."""
    out = []
    for position, digit in enumerate(digits):
        if position:
            out.append(draw(st.sampled_from(SEPARATORS)))
        out.append(chr(0xFF10 + int(digit)) if digit.isdigit() and draw(st.booleans()) else digit)
    return "".join(out)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=17, max_size=17).filter(lambda s: s[0] != "0"))
    return body + draw(st.sampled_from("0123456789X"))


@st.composite
def bank_cards(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["62", "4", "5", "3"])) + draw(st.text(alphabet="0123456789", min_size=11, max_size=17))


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(st.text(alphabet="0123456789", min_size=9, max_size=9))


@st.composite
def notes_with(draw: st.DrawFn, numbers: st.SearchStrategy[str]) -> tuple[str, str]:
    number = draw(numbers)
    return draw(AROUND) + written(number, draw) + draw(AROUND), number


PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(notes_with(st.one_of(id_numbers(), bank_cards())))
@example(("身份证430521.19800101.1234", ID_NUMBER))
@example(("卡号6222.0202.1234.5678.901", CARD))
def test_no_digit_of_an_id_or_card_survives_however_it_is_written(case: tuple[str, str]) -> None:
    text, number = case
    masked = mask_numbers(text)
    assert digits_of(masked) == "", (text, masked)
    if number.endswith("X"):
        assert "X" not in masked, (text, masked)


@PROPERTY
@given(notes_with(mobiles()))
@example(("电话138.1234.5678", MOBILE))
def test_a_mobile_shows_only_its_first_three_and_last_four_digits(case: tuple[str, str]) -> None:
    text, number = case
    masked = mask_numbers(text)
    assert digits_of(masked) == number[:3] + number[-4:], (text, masked)
    assert number[:3] + MASK * 4 + number[-4:] in masked


@PROPERTY
@given(st.text(max_size=60))
def test_masking_numbers_twice_changes_nothing(text: str) -> None:
    once = mask_numbers(text)
    assert mask_numbers(once) == once


NAME_CHARS = st.sampled_from([*"王李张刘陈杨赵黄周吴小明华建国丽芳军伟秀英*·", ZWSP, IDEOGRAPHIC_SPACE, "Ａ"])


@PROPERTY
@given(st.text(NAME_CHARS, min_size=1, max_size=8), st.sampled_from(["", *sorted(COMPOUND_SURNAMES)[:5]]))
@example("小明*", "王")
@example("*", "王小明")
def test_a_name_shows_at_most_its_surname_and_last_character_and_masking_twice_changes_nothing(rest: str, surname: str) -> None:
    name = surname + rest
    masked = mask_name(name)
    assert mask_name(masked) == masked
    shown = [ch for ch in masked if ch != MASK]
    folded = "".join(ch for ch in unicodedata.normalize("NFKC", name) if unicodedata.category(ch) != "Cf").strip()
    allowed = (2 if folded[:2] in COMPOUND_SURNAMES and len(folded) > 2 else 1) + 1
    assert len(shown) <= allowed, (name, masked)
    if len(folded) >= 2:
        assert MASK in masked, (name, masked)


@PROPERTY
@given(notes_with(st.one_of(id_numbers(), bank_cards())))
def test_every_text_field_of_a_payment_is_masked(case: tuple[str, str]) -> None:
    text, _number = case
    record = make("subsidy_payment", "pay-prop", recipient="王小明" + text, note=text, quantity=text, policy_name=text)
    masked = mask_payment(record)
    for field in ("note", "quantity", "policy_name"):
        assert digits_of(masked[field]) == "", (field, masked[field])
    assert mask_payment(masked) == masked


# ------------------------------------------------------------------------------ a store from before the fix
def test_a_store_written_by_an_older_version_is_masked_again_when_opened(tmp_path: Path) -> None:
    """A terminal that stored a dotted ID number and keywords before the fix: the next `kiosk` command cleans it."""
    from kiosk.records.text import derive

    data = tmp_path / "terminal"
    usb = tmp_path / "payment.jsonl"
    usb.write_text(json.dumps(make("subsidy_payment", "pay-sec-old"), ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(KIOSK, "config", "set", "terminal.region", VILLAGE, "--data-dir", data).returncode == 0
    assert run(KIOSK, "import", usb, "--data-dir", data).returncode == 0
    # What an older version wrote: the note and keywords as they came, indexed, and no masking version.
    leaked = make("subsidy_payment", "pay-sec-old", recipient="王小明*", note="代领人号码430521.19800101.1234", keywords=[ID_NUMBER])
    derived = derive(leaked, None)
    with sqlite3.connect(data / "content.sqlite") as db:
        (pk,) = db.execute("SELECT pk FROM record WHERE record_id = 'pay-sec-old'").fetchone()
        db.execute("UPDATE record_data SET data = ? WHERE pk = ?", (json.dumps(leaked, ensure_ascii=False), pk))
        db.execute("UPDATE record SET aliases = ? WHERE pk = ?", (derived.aliases, pk))
        db.execute("DELETE FROM search_fts WHERE rowid = ?", (pk,))
        db.execute("INSERT INTO search_fts (rowid, title, aliases, body) VALUES (?, ?, ?, ?)", (pk, derived.title, derived.aliases, derived.body))
        db.execute("DELETE FROM meta WHERE key = 'masking_version'")

    hits = run(KIOSK, "search", "19800101", "--json", "--data-dir", data)
    assert hits.returncode == 0 and json.loads(hits.stdout) == [], hits.stdout
    record = stored(data, "pay-sec-old")
    assert "keywords" not in record and digits_of(record["note"]) == "" and record["recipient"] == "王**", record
    with sqlite3.connect(data / "content.sqlite") as db:
        indexed = repr(db.execute("SELECT title, aliases, body FROM search_fts WHERE rowid = ?", (pk,)).fetchall())
    assert "19800101" not in indexed and ID_NUMBER not in indexed, indexed
