"""What 朗读 says for numbers, amounts, dates and symbols (kiosk/speech_text.py): the way people say them, in characters."""

from __future__ import annotations

import re

import pytest

from kiosk.speech_text import amount, cardinal, digits, prepare


@pytest.mark.parametrize(("number", "words"), [
    (0, "零"), (7, "七"), (10, "十"), (12, "十二"), (20, "二十"), (100, "一百"), (105, "一百零五"), (110, "一百一十"),
    (1005, "一千零五"), (1176, "一千一百七十六"), (2000, "两千"), (10000, "一万"), (12000, "一万二千"), (20000, "两万"),
    (100010, "十万零一十"), (1002000, "一百万二千"), (18000, "一万八千"), (100000000, "一亿"), (305000000, "三亿零五百万"),
])
def test_cardinal_numbers(number: int, words: str) -> None:
    assert cardinal(number) == words


@pytest.mark.parametrize(("written", "words"), [
    ("1,176.00", "一千一百七十六元"), ("1176", "一千一百七十六元"), ("1,176.50", "一千一百七十六元五角"), ("3.05", "三元零五分"),
    ("0.05", "五分"), ("0.00", "零元"), ("12,000.00", "一万二千元"), ("980.5", "九百八十元五角"),
])
def test_amounts_in_yuan_jiao_fen(written: str, words: str) -> None:
    assert amount(written) == words


@pytest.mark.parametrize(("text", "spoken"), [
    # phone numbers and long numbers: digit by digit (幺 for 1 in Mandarin, as people read phone numbers)
    ("请拨打0739-5213101咨询", "请拨打零七三九五二幺三幺零幺咨询"),
    ("咨询电话：12345", "咨询电话：幺二三四五"),
    ("手机13812345678", "手机幺三八幺二三四五六七八"),
    ("400-123-4567", "四零零幺二三四五六七"),
    ("身份证号4301**********1234", "身份证号四三零幺，幺二三四，"),
    # amounts, with ¥ or 元, thousands separators never read as a pause
    ("¥1,176.00", "一千一百七十六元"),
    ("补贴金额¥1,176.00元", "补贴金额一千一百七十六元"),
    ("月保障金额1,470.00元（调整金额）", "月保障金额一千四百七十元（调整金额）"),
    ("每亩每年16元", "每亩每年十六元"),
    # document numbers and dates: years digit by digit, the rest as numbers
    ("溪政发〔2025〕5号", "溪政发〔二零二五〕五号"),
    ("湘财农〔2024〕12号", "湘财农〔二零二四〕十二号"),
    ("2026年11月21日", "二零二六年十一月二十一日"),
    ("2026-11-21起施行", "二零二六年十一月二十一日起施行"),
    ("第3季度", "第三季度"),
    # symbols espeak-ng would read in English
    ("按50%补助，5.5%以内", "按百分之五十补助，百分之五点五以内"),
    ("张*明，85周岁", "张某明，八十五周岁"),
    ("防返贫监测APP", "防返贫监测诶批批"),
    ("1年期LPR", "一年期艾勒批阿"),
    ("3+2", "三加二"),
    ("共18000人", "共一万八千人"),
])
def test_prepared_text_reads_as_people_say_it(text: str, spoken: str) -> None:
    assert prepare(text) == spoken


def test_cantonese_reads_one_as_yat_in_phone_numbers() -> None:
    assert prepare("0739-5213101", "yue") == "零七三九五二一三一零一"
    assert digits("0739-5213101") == "零七三九五二一三一零一"


def test_prepared_text_keeps_no_digits_latin_or_english_symbols() -> None:
    text = "关于2026年度补贴的公示：张*明，¥1,176.00；热线0739-5213101；比例50%；防返贫监测APP；3+2；1~3年；#1 & A/B"
    spoken = prepare(text)
    assert not re.search(r"[0-9A-Za-z%*+~#&/]", spoken), spoken
    assert spoken.startswith("关于二零二六年度补贴的公示：张某明，一千一百七十六元；热线零七三九五二幺三幺零幺；比例百分之五十；")


def test_text_without_numbers_is_unchanged() -> None:
    text = "根据《中华人民共和国政府信息公开条例》，现将有关情况公示如下。"
    assert prepare(text) == text


def test_rare_characters_beyond_the_bmp_are_read_by_their_pinyin_not_their_code_point() -> None:
    """espeak-ng 1.51 spells 𡒄 (U+21484) as "U 2 1 4 8 4"; Mandarin gets pypinyin's lan3, Cantonese (no reading) a pause."""
    assert prepare("李𡒄明") == "李 lan3 明"
    assert prepare("李𡒄明", "yue") == "李 明"
    assert prepare("𠮷田") == " 田"  # not in pypinyin either: silence rather than a code point
