"""What 朗读 says for a text: numbers, amounts, dates and symbols written out the way people say them.

espeak-ng reads digits as one cardinal number (0739-5213101 becomes 零 七百三十九 五百二十一万...), reads
``1,176.00`` as 一千一百七十六 (pause) 零零, and switches to its English voice for ``%``, ``*``, ``+`` and
Latin letters. ``prepare`` rewrites all of these into Chinese characters first, so the Mandarin and
Cantonese voices never leave Chinese (``kiosk/voices.py`` checks that with ``espeak-ng -x``):

- phone numbers, ID-like numbers and anything with 7 or more digits: digit by digit (Mandarin reads 1 as 幺);
- amounts (``¥1,176.00``, ``1,176.50元``): 一千一百七十六元 / 一千一百七十六元五角;
- years (``2025年``, ``〔2025〕``) digit by digit, months and days as numbers, ``2026-11-21`` as a date;
- rare characters beyond the Basic Multilingual Plane (𡒄) as pinyin with a tone number for Mandarin;
- ``50%`` 百分之五十, ``+`` 加, ``≥`` 大于等于, ``℃`` 摄氏度, ``㎡`` 平方米, ① 一, a masked name's ``*`` 某,
  Latin letters by their usual Chinese names.

No Qt here: ``ui/speech.py`` and ``kiosk speak`` both use it.
"""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
_BIG_UNITS = ("", "万", "亿", "万亿")

# Latin letters as Chinese speakers name them (an acronym like APP or LPR is spelled out).
LETTERS = {
    "A": "诶", "B": "必", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺", "I": "艾",
    "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "批", "Q": "丘", "R": "阿",
    "S": "艾斯", "T": "提", "U": "优", "V": "维", "W": "达不溜", "X": "艾克斯", "Y": "歪", "Z": "贼",
}

# Signs and units espeak-ng drops silently or reads in English, as words.
SIGNS = {
    "℃": "摄氏度", "≥": "大于等于", "≤": "小于等于", "＞": "大于", "＜": "小于", "×": "乘", "÷": "除以", "±": "正负",
    "㎡": "平方米", "m²": "平方米", "m2": "平方米", "km": "公里", "kg": "公斤", "cm": "厘米", "mm": "毫米", "kWh": "千瓦时",
    "Ⅰ": "一", "Ⅱ": "二", "Ⅲ": "三", "Ⅳ": "四", "Ⅴ": "五", "Ⅵ": "六", "Ⅶ": "七", "Ⅷ": "八", "Ⅸ": "九", "Ⅹ": "十",
}
_CIRCLED = re.compile("[\u2460-\u2473]")  # ①..⑳

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_PHONE_WORDS = "电话|热线|拨打|致电|手机|传真|号码|联系方式|咨询|邮编|账号|卡号|编号|身份证"
_PATTERNS = [
    # ¥1,176.00 / ￥1176 / 1,176.00元 (the 元 is said by the amount)
    ("amount", re.compile(rf"[¥￥]\s*(?P<n>{_NUMBER})元?|(?P<m>{_NUMBER})\s*元")),
    ("percent", re.compile(rf"(?P<n>{_NUMBER})\s*[%％]")),
    ("date", re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")),
    ("year", re.compile(r"(?<!\d)(?P<y>\d{4})(?=\s*(?:年|〕|］|\]|】))|(?<=[〔［\[【])(?P<z>\d{4})(?!\d)")),
    # after a phone word, or digits in hyphenated groups (0739-5213101, 400-123-4567), or 7+ digits / a leading 0
    ("digits", re.compile(rf"(?P<w>(?:{_PHONE_WORDS})[：:为是\s]*)(?P<p>\d[\d\-]*\d|\d)|(?<!\d)(?P<g>\d+(?:-\d+)+)(?![\d.])"
                          r"|(?<![\d.,])(?P<l>\d{7,}|0\d+)(?![\d.,])")),
    ("number", re.compile(rf"(?P<n>{_NUMBER})")),
]


def cardinal(number: int) -> str:
    """1176 → 一千一百七十六, 10 → 十, 100000 → 十万, 1005 → 一千零五."""
    if number < 0:
        return "负" + cardinal(-number)
    if number == 0:
        return "零"
    groups: list[int] = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    if len(groups) > len(_BIG_UNITS):
        return digits(str(number))
    words = ""
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or group < 1000):
            words += "零"
        words += _four(group) + _BIG_UNITS[index]
        zero_pending = False
    if len(words) > 1 and words[0] == "二" and words[1] in "千万亿":
        words = "两" + words[1:]  # 两千, 两万
    if words.startswith("一十"):  # 十二, not 一十二 (but 一百一十二 keeps its 一)
        words = words[1:]
    return words


def _four(group: int) -> str:
    """0 < group < 10000 → 一千零五 etc., without leading 零."""
    text = ""
    zero = False
    for power in range(3, -1, -1):
        digit = group // 10**power % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + _SMALL_UNITS[power]
    return text


def digits(text: str, yao: bool = False) -> str:
    """Digit by digit, dropping separators: 0739-5213101 → 零七三九五二一三一零一 (幺 for 1 when yao)."""
    names = DIGITS.replace("一", "幺") if yao else DIGITS
    return "".join(names[int(ch)] for ch in text if ch.isdigit())


def decimal(text: str) -> str:
    """1,176.5 → 一千一百七十六点五."""
    whole, _, fraction = text.replace(",", "").partition(".")
    words = cardinal(int(whole))
    return words + ("点" + digits(fraction) if fraction else "")


def amount(text: str) -> str:
    """1,176.00 → 一千一百七十六元; 1,176.50 → 一千一百七十六元五角; 0.05 → 五分; 3.05 → 三元零五分."""
    whole, _, fraction = text.replace(",", "").partition(".")
    fraction = (fraction + "00")[:2]
    yuan, jiao, fen = int(whole), int(fraction[0]), int(fraction[1])
    words = cardinal(yuan) + "元" if yuan or not (jiao or fen) else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    elif fen and yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return words


def _replace(kind: str, match: re.Match[str], yao: bool) -> str:
    group = match.groupdict()
    if kind == "amount":
        return amount(group["n"] or group["m"])
    if kind == "percent":
        return "百分之" + decimal(group["n"])
    if kind == "date":
        return f"{digits(group['y'])}年{cardinal(int(group['mo']))}月{cardinal(int(group['d']))}日"
    if kind == "year":
        return digits(group["y"] or group["z"])
    if kind == "digits":
        return (group["w"] or "") + digits(group["p"] or group["g"] or group["l"], yao)
    return decimal(group["n"])


def _numbers(text: str, yao: bool) -> str:
    """Apply the patterns in order; text produced by one pattern has no digits left for the next."""
    for kind, pattern in _PATTERNS:
        text = pattern.sub(lambda match, kind=kind: _replace(kind, match, yao), text)
    return text


# CJK Extension B and beyond (𠮷, 𡒄: rare characters in names): espeak-ng 1.51 has no reading for them and spells out the code
# point ("U 2 0 B B 7") in Chinese. Mandarin gets pypinyin's reading with a tone number, which cmn-latn-pinyin reads as
# Mandarin; Cantonese (and a character pypinyin does not know either) gets a short pause instead of the code point.
_SUPPLEMENTARY = re.compile("[\U00020000-\U0003FFFF]")


def _rare(match: re.Match[str], voice: str) -> str:
    if voice == "cmn":
        from pypinyin import Style, pinyin

        reading = pinyin(match.group(), style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
        if reading and reading[0] and reading[0][0].isascii():
            return f" {reading[0][0]} "
    return " "


def prepare(text: str, voice: str = "cmn") -> str:
    """The text a Chinese espeak-ng voice should be given for ``text`` (see the module docstring)."""
    yao = voice == "cmn"  # Cantonese says 一 in phone numbers too
    text = re.sub(r"(?<=[\u4e00-\u9fff])[*＊]+(?=[\u4e00-\u9fff])", "某", text)  # 张*明: a masked given name
    text = re.sub(r"(\d*)[*＊]+(\d*)", lambda m: _masked(m.group(1), m.group(2), yao), text)  # 4301****1234
    text = re.sub(r"[*＊]+", "", text)
    text = _CIRCLED.sub(lambda match: str(ord(match.group()) - 0x245F), text)
    text = re.sub(r"(?<=\d)\s*(?:km|kg|cm|mm|kWh|m²|m2)(?![A-Za-z])|[℃≥≤＞＜×÷±㎡Ⅰ-Ⅹ]",
                  lambda match: SIGNS[match.group().strip()], text)
    text = _numbers(text, yao)
    text = re.sub(r"\s*[+＋]\s*", "加", text)
    text = re.sub(r"[~～]", "至", text)
    text = re.sub(r"[A-Za-zＡ-Ｚａ-ｚ]+", lambda match: _letters(match.group()), text)
    text = re.sub(r"[#＃&@/\\|_=<>^$€£]", " ", text)  # symbols espeak names in English; a pause is enough
    return _SUPPLEMENTARY.sub(lambda match: _rare(match, voice), text)  # last: its pinyin must not be spelled out


def _masked(before: str, after: str, yao: bool) -> str:
    """A number with hidden digits: the digits shown, digit by digit, with a pause where the rest is hidden."""
    return "，".join(part for part in (digits(before, yao), digits(after, yao)) if part) + "，"


def _letters(word: str) -> str:
    import unicodedata

    return "".join(LETTERS.get(unicodedata.normalize("NFKC", ch).upper(), "") for ch in word)
