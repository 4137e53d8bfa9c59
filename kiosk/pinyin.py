"""First letters of Chinese text (首字母), the way people search without a keyboard.

pypinyin's ``Style.FIRST_LETTER`` keeps y/w syllables (``INITIALS`` drops them). Polyphonic
place names get a small phrase dictionary so that 单县 is ``sx``, not ``dx``.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin, load_phrases_dict

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


@lru_cache(maxsize=4096)
def first_letters(text: str) -> str:
    """耕地地力保护补贴 → 'gddlbhbt'. Latin letters and digits are kept, lower-cased."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(ch for part in letters for ch in part.lower() if ch.isascii() and ch.isalnum())
