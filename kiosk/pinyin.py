"""First letters of Chinese text (首字母), the way people search without a keyboard.

pypinyin's ``Style.FIRST_LETTER`` keeps y/w syllables (``INITIALS`` drops them). Polyphonic
place names get a small phrase dictionary so that 单县 is ``sx``, not ``dx``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, load_phrases_dict
from pypinyin.constants import RE_HANS

# Place names and words whose common reading differs from pypinyin's default guess.
PHRASES: dict[str, list[list[str]]] = {
    "单县": [["shàn"], ["xiàn"]],
    "六安": [["lù"], ["ān"]],
    "蚌埠": [["bèng"], ["bù"]],
    "番禺": [["pān"], ["yú"]],
    "丽水": [["lí"], ["shuǐ"]],
    "铅山": [["yán"], ["shān"]],
    "乐亭": [["lào"], ["tíng"]],
    "东阿": [["dōng"], ["ē"]],
    "尉氏": [["yù"], ["shì"]],
    "长治": [["cháng"], ["zhì"]],
    "重庆": [["chóng"], ["qìng"]],
    "厦门": [["xià"], ["mén"]],
    "给付": [["jǐ"], ["fù"]],
    "供给": [["gōng"], ["jǐ"]],
    "补给": [["bǔ"], ["jǐ"]],
    "特困供养": [["tè"], ["kùn"], ["gōng"], ["yǎng"]],
    "调解": [["tiáo"], ["jiě"]],
    "调整": [["tiáo"], ["zhěng"]],
    "三务": [["sān"], ["wù"]],
}
load_phrases_dict(PHRASES)


# pypinyin converts each run of Chinese characters on its own (pypinyin.seg.simpleseg splits text
# at every character outside RE_HANS before its phrase segmentation), so the first letters of a
# text are those of its runs, joined. Titles share most runs (a payment's policy name and period,
# a board's village, an issuer), so caching runs, not whole titles, makes an initial sync of a
# county convert each run once: 2.7 s → 0.3 s for 20,000 records (tests/unit/test_pinyin_runs.py
# checks both ways agree).
_HAN_CLASS = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")
_HAN_RUN = re.compile(f"({_HAN_CLASS}+)")


@lru_cache(maxsize=65536)
def _run_letters(run: str) -> str:
    letters = lazy_pinyin(run, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(ch for part in letters for ch in part.lower() if ch.isascii() and ch.isalnum())


def _other_letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


@lru_cache(maxsize=4096)
def first_letters(text: str) -> str:
    """耕地地力保护补贴 → 'gddlbhbt'. Latin letters and digits are kept, lower-cased."""
    parts = _HAN_RUN.split(text)  # other, run, other, run, …, other
    return "".join(_run_letters(part) if index % 2 else _other_letters(part) for index, part in enumerate(parts) if part)


def first_letters_whole(text: str) -> str:
    """The same as :func:`first_letters`, by converting the whole text at once (what it is checked against)."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(ch for part in letters for ch in part.lower() if ch.isascii() and ch.isalnum())
