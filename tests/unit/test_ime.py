from __future__ import annotations

import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
from pypinyin.contrib.tone_convert import to_normal

from kiosk import ime as imelib
from kiosk.ime import MAX_SEGMENTATIONS, PinyinIme, split_pinyin
from kiosk.pinyin import PHRASES as CORRECTED_PHRASES

ROOT = Path(__file__).resolve().parents[2]

# Kiosk-like titles and keywords: what a county terminal shows. 更, 绿 and 女 deliberately never occur,
# so their candidates come from the dictionary.
TITLES = [
    "耕地地力保护补贴",
    "溪源县2026年耕地地力保护补贴实施方案",
    "桃源村关于耕地地力保护补贴面积核实结果的公示",
    "城乡居民最低生活保障",
    "农村最低生活保障（低保）",
    "低保",
    "桃源村2026年低保对象名单公示",
    "农村危房改造",
    "溪源县农村危房改造补助资金发放公示",
    "村务公开",
    "桃源村2026年第一季度村务公开",
    "财务公开",
    "桃源村2026年第一季度财务公开（收支明细）",
    "党务公开",
    "桃源村2026年第一季度党务公开",
    "溪源县人民政府关于做好春耕生产工作的通知",
    "溪源县农业农村局关于春季农业生产的工作要点",
    "西安市对口帮扶溪源县产业项目公示",
    "溪源县城乡居民基本养老保险实施方案",
    "溪源县乡村振兴衔接资金项目实施方案",
    "特困人员救助供养",
    "临时救助",
    "残疾人两项补贴",
    "高龄津贴",
    "城乡居民基本医疗保险",
    "义务教育学生资助",
    "溪源县县长办公会议纪要",
    "长期护理保险",
    "单县对口协作项目",
    "退耕还林补助",
]

# Common syllables (ü written v), to generate letters that mostly do spell something.
SYLLABLES = [
    *("a", "ai", "an", "ang", "ba", "bao", "bei", "bu", "cai", "cun", "chang", "da", "dang", "di", "fang", "fan", "gan", "geng"),
    *("gong", "guo", "hu", "ji", "jia", "kai", "lv", "li", "min", "nong", "nv", "qu", "shan", "sheng", "wu", "xi", "xian"),
    *("xiang", "yang", "yi", "zheng", "zhi", "zhu"),
]

ime_cases = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=30),
    st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=5).flatmap(
        lambda pieces: st.integers(1, len("".join(pieces))).map(lambda end: "".join(pieces)[:end])
    ),
)


@pytest.fixture(scope="module")
def ime() -> PinyinIme:
    return PinyinIme(TITLES)


@pytest.fixture(scope="module")
def bare() -> PinyinIme:
    return PinyinIme()


@cache
def readings(ch: str) -> frozenset[str]:
    """Every toneless reading pypinyin knows for a character (ü as v), independent of kiosk.ime."""
    return frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def consistent(word: str, letters: str) -> bool:
    """Could someone type ``letters`` for ``word``? Either they spelled its syllables, the last one possibly
    cut short (gengd → 耕地), or, for 2–4 letters, typed one initial per character (gd → 耕地).

    A character may take any of its readings, or the one it has inside this word (乐亭 lào tíng)."""
    options = [readings(ch) | {in_word} for ch, in_word in zip(word, lazy_pinyin(word, errors=lambda chars: ["?"] * len(chars)), strict=True)]

    def spelled(index: int, pos: int) -> bool:
        if index == len(word) - 1:
            rest = letters[pos:]
            return bool(rest) and any(reading.startswith(rest) for reading in options[index])
        return any(letters.startswith(reading, pos) and spelled(index + 1, pos + len(reading)) for reading in options[index])

    by_initials = 2 <= len(letters) <= 4 and len(word) == len(letters)
    by_initials = by_initials and all(any(r.startswith(first) for r in opts) for first, opts in zip(letters, options, strict=True))
    return spelled(0, 0) or by_initials


@cache
def all_syllables() -> frozenset[str]:
    found = {reading for code in PINYIN_DICT for reading in readings(chr(code))}
    return frozenset(reading for reading in found if reading.isascii() and reading.isalpha())


def gb2312_level1(ch: str) -> bool:
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def test_the_consistency_check_can_say_no() -> None:
    assert consistent("耕地", "gengdi") and consistent("耕地", "gengd") and consistent("耕地", "gd")
    assert consistent("长", "chang") and consistent("长", "zhang")  # any reading
    assert consistent("绿", "lv")
    assert not consistent("耕地", "dibao")
    assert not consistent("耕地", "geng")  # must reach the last character
    assert not consistent("耕地", "gengdix")
    assert not consistent("低保", "dbx")


@pytest.mark.parametrize(
    ("letters", "first"),
    [
        ("gengdi", "耕地"),
        ("gengd", "耕地"),  # trailing partial syllable
        ("dibao", "低保"),
        ("cunwu", "村务"),
        ("dangwu", "党务"),
        ("caiwu", "财务"),
        ("fangan", "方案"),
        ("gd", "耕地"),  # initials
        ("wfgz", "危房改造"),
        ("geng", "耕"),  # a content character before the dictionary's more common 更
        ("zhang", "长"),  # 县长
        ("chang", "长"),  # 长期: a content character also under its second reading
        ("shanxian", "单县"),  # kiosk.pinyin's place-name reading, not dan xian
        ("GengDi ", "耕地"),  # anything but a–z is ignored
    ],
)
def test_content_words_come_first(ime: PinyinIme, letters: str, first: str) -> None:
    assert ime.candidates(letters)[0] == first


def test_initials_that_do_not_spell_pinyin_find_content_words(ime: PinyinIme) -> None:
    assert "低保" in ime.candidates("db")
    assert ime.candidates("ylbx")[:2] == ["养老保险", "医疗保险"]  # by count: each occurs once, tie → code point
    assert split_pinyin("db") == []


def test_ambiguous_segmentation_offers_both_readings(ime: PinyinIme) -> None:
    found = ime.candidates("xian")
    assert "县" in found and "西安" in found
    assert found.index("县") < found.index("西安")  # 县 occurs far more often
    assert found.index("西安") < found.index("乡")  # spelled exactly beats a likelier xiang word
    assert ["xian"] in split_pinyin("xian") and ["xi", "an"] in split_pinyin("xian")
    assert ["fang", "an"] in split_pinyin("fangan") and ["fan", "gan"] in split_pinyin("fangan")


def test_the_same_letters_follow_the_content() -> None:
    """fangan is 方案 on one terminal and 反感 on another: the vocabulary decides, and the shown split follows."""
    plans, complaints = PinyinIme(["关于印发实施方案的通知"]), PinyinIme(["群众反感的形式主义问题整改情况"])
    assert plans.candidates("fangan")[0] == "方案" and plans.syllables("fangan") == ["fang", "an"]
    assert complaints.candidates("fangan")[0] == "反感" and complaints.syllables("fangan") == ["fan", "gan"]


def test_dictionary_fills_in_after_the_content(ime: PinyinIme) -> None:
    found = ime.candidates("dibao")
    assert found[0] == "低保" and "地保" in found  # pypinyin's phrase, after the content's word
    assert "更" in ime.candidates("geng")
    assert "绿" in ime.candidates("lv")
    assert "女" in ime.candidates("nv")


def test_without_content_common_characters_come_first(bare: PinyinIme) -> None:
    found = bare.candidates("geng", limit=40)
    main = {chr(code) for code in PINYIN_DICT if gb2312_level1(chr(code)) and lazy_pinyin(chr(code))[0] == "geng"}  # 更 耕 梗 …
    assert main and main <= set(found)
    first_rare = next(index for index, ch in enumerate(found) if not gb2312_level1(ch))
    assert max(found.index(ch) for ch in main) < first_rare
    assert {"先", "现", "县"} <= set(bare.candidates("xian", limit=20))
    assert all("xian" in readings(ch) for ch in bare.candidates("xian"))  # exact before the commoner 向, 想 of xiang


def test_a_rare_reading_of_a_content_character_does_not_lead(ime: PinyinIme) -> None:
    # 谷 is read lù only in a few names; content that uses 谷物 must not put it first for lu.
    assert PinyinIme(["谷物种植补贴"]).candidates("lu")[0] != "谷"
    assert "谷" in PinyinIme(["谷物种植补贴"]).candidates("gu")[:1]


@pytest.mark.parametrize("letters", ["biang", "fiao", "cei", "kei", "nve", "lve", "zhua", "hm", "ng", "eng", "o", "rua"])
def test_rare_syllables_and_prefixes_do_not_crash(ime: PinyinIme, letters: str) -> None:
    found = ime.candidates(letters)
    assert len(found) <= 12 and len(set(found)) == len(found)
    assert all(consistent(word, letters) for word in found)


@pytest.mark.parametrize("letters", ["z" * 200, "a" * 200, "xian" * 50, "zhuang" * 34, "qwertyuiopasdfghjklzxcvbnm" * 8, "g" * 40])
def test_long_garbage_is_fast_and_harmless(ime: PinyinIme, letters: str) -> None:
    started = time.perf_counter()
    assert ime.candidates(letters) == []
    ime.syllables(letters)
    segmentations = split_pinyin(letters)
    assert len(segmentations) <= MAX_SEGMENTATIONS
    assert all("".join(pieces) == letters for pieces in segmentations)
    assert time.perf_counter() - started < 1.0  # an exponential split would take hours


def test_empty_and_limits(ime: PinyinIme) -> None:
    assert ime.candidates("") == [] and ime.candidates("123 ，。") == []
    assert ime.syllables("") == []
    assert len(ime.candidates("g", limit=3)) == 3
    assert ime.candidates("g", limit=0) == []
    assert ime.candidates("g", limit=3) == ime.candidates("g", limit=20)[:3]  # the limit only cuts


def test_syllables_for_display(ime: PinyinIme) -> None:
    assert ime.syllables("gengdi") == ["geng", "di"]
    assert ime.syllables("gengd") == ["geng", "d"]
    assert ime.syllables("xian") == ["xian"]
    assert ime.syllables("gd") == ["g", "d"]
    assert ime.syllables("zzz") == []
    assert ime.candidates("zhuang" * 11) == [] and ime.syllables("zhuang" * 11) == ["zhuang"] * 11  # no word, still split


def test_split_pinyin_orders_longer_syllables_first() -> None:
    assert split_pinyin("xian") == [["xian"], ["xia", "n"], ["xi", "an"], ["xi", "a", "n"]]
    assert split_pinyin("gengdi")[0] == ["geng", "di"]
    assert split_pinyin("lv") == [["lv"]]
    assert split_pinyin("") == [] and split_pinyin("zzz") == [] and split_pinyin("vvv") == []


def test_the_dictionary_index_is_built_once_and_shared() -> None:
    PinyinIme(["低保"])
    shared = imelib._dictionary
    assert shared is not None
    PinyinIme(TITLES)
    imelib.load_dictionary()
    assert imelib._dictionary is shared


@settings(max_examples=300, deadline=None)
@given(ime_cases)
def test_candidates_are_few_unique_and_spell_the_letters(ime: PinyinIme, letters: str) -> None:
    found = ime.candidates(letters, limit=12)
    assert len(found) <= 12
    assert len(set(found)) == len(found)
    assert all(found)
    assert all(consistent(word, letters) for word in found), found


@settings(max_examples=300, deadline=None)
@given(ime_cases)
def test_split_pinyin_pieces_are_syllables_that_join_to_the_letters(letters: str) -> None:
    syllables = all_syllables()
    segmentations = split_pinyin(letters)
    assert len(segmentations) <= MAX_SEGMENTATIONS
    assert len({tuple(pieces) for pieces in segmentations}) == len(segmentations)
    for pieces in segmentations:
        assert "".join(pieces) == letters
        assert all(piece in syllables for piece in pieces[:-1])
        assert any(syllable.startswith(pieces[-1]) for syllable in syllables)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4))
def test_whole_syllables_always_find_their_own_split(syllables: list[str]) -> None:
    assert syllables in split_pinyin("".join(syllables), limit=10_000)


def test_toneless_readings_are_pypinyins_own() -> None:
    """kiosk.ime strips tones itself (pypinyin's to_normal leaves garbage behind in a build): the same result for
    every reading pypinyin has, so a pypinyin upgrade that adds a new kind of reading fails here first."""
    readings = {reading for raw in PINYIN_DICT.values() for reading in raw.split(",")}
    for phrase in (*PHRASES_DICT.values(), *CORRECTED_PHRASES.values()):
        readings.update(reading for options in phrase for reading in options)
    assert {"lǜ", "ê̄", "ḿ", "ǹg"} <= readings  # ü, ê with a tone, syllabic m and n
    assert [reading for reading in readings if imelib._toneless(reading) != to_normal(reading)] == []


def test_the_index_finds_every_word_under_its_key_and_initials() -> None:
    """The packed index (one string of words, one of keys, arrays of ordinals) gives back what was put in, in rank order."""
    builder = imelib._IndexBuilder()
    words = [
        ("耕地", ("geng", "di"), (2,)),
        ("更低", ("geng", "di"), (1,)),
        ("耕", ("geng",), (5,)),
        ("更", ("geng",), (3,)),
        ("低保", ("di", "bao"), (1,)),
        ("长", ("zhang",), (1,)),
        ("长", ("chang",), (1,)),
        ("养老保险", ("yang", "lao", "bao", "xian"), (0,)),
    ]
    for word, key, rank in words:
        builder.add(word, key, rank)
    index = imelib._Index.unpack(builder.build())

    def found(pieces: tuple[str, ...], complete: bool = True) -> list[tuple[bool, list[str]]]:
        return [(exact, [index.word(ordinal) for ordinal in ordinals]) for exact, ordinals in index.matches(pieces, complete)]

    assert found(("geng", "di")) == [(True, ["更低", "耕地"])]  # rank order
    assert found(("geng", "d"), complete=False) == [(False, ["更低", "耕地"])]
    assert found(("geng",)) == [(True, ["更", "耕"])]
    assert found(("zhang",)) == found(("chang",)) == [(True, ["长"])]  # one word under two readings
    assert found(("g",), complete=False) == [(False, ["更", "耕"])]
    assert found(("di",), complete=False) == []  # 2 syllables are not 1
    assert found(("yang", "lao", "bao", "x"), complete=False) == [(False, ["养老保险"])]
    assert [index.word(o) for o in index.with_initials("gd")] == ["更低", "耕地"]
    assert [index.word(o) for o in index.with_initials("ylbx")] == ["养老保险"]
    assert list(index.with_initials("zz")) == [] and list(index.with_initials("abcde")) == []
    assert index.longest == 4
    empty = imelib._Index.unpack(imelib._IndexBuilder().build())
    assert list(empty.matches(("geng",), True)) == [] and empty.longest == 0


_RSS_CHILD = """
from pathlib import Path
def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import kiosk.ime as ime
titles = [f"溪源县{n % 97}号村{n % 13}年耕地地力保护补贴第{n}批资金发放公示（{n % 7}组）" for n in range(20000)]
before = rss_mb()
ime.load_dictionary()
engine = ime.PinyinIme(titles)
assert engine.candidates("gengdi")[0] == "耕地"
print(rss_mb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_dictionary_and_a_large_vocabulary_stay_small_in_memory() -> None:
    """A fresh process: the dictionary plus 20,000 titles once grew resident memory by ~62 MB (small objects, and the
    allocator arenas the build's garbage left pinned); the packed index and a build that leaves nothing behind keep it
    near 10 MB, goal ≤ 20 MB."""
    result = subprocess.run([sys.executable, "-c", _RSS_CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert float(result.stdout.strip()) <= 20, result.stdout


def test_a_name_field_offers_surnames_first_the_lists_own_before_others() -> None:
    names = PinyinIme(["祝明", "王丽"])  # the name keyboard's vocabulary: the masked names without their *
    assert names.candidates("zhu", 20, names=True)[:3] == ["祝", "朱", "诸"]  # the list's 祝, then by frequency
    plain = PinyinIme([])
    zhu = plain.candidates("zhu", 20, names=True)
    assert zhu[0] == "朱" and zhu.index("朱") < zhu.index("主") and zhu.index("朱") < zhu.index("助")
    assert plain.candidates("zhu", 20)[0] != "朱"  # a search field keeps the usual order
    assert plain.candidates("zeng", 5, names=True)[0] == "曾"  # read zēng as a surname, though céng comes first
    assert plain.candidates("shan", 5, names=True)[0] == "单"
    assert plain.candidates("ouyang", 5, names=True)[0] == "欧阳"
    assert plain.candidates("zh", 5, names=True) == ["张", "赵", "周", "朱", "郑"]
    assert len(plain.candidates("zhu", 40, names=True)) > 8
    assert plain.candidates("xyzq", 10, names=True) == plain.candidates("xyzq", 10)


def test_the_surname_table_has_no_duplicates_and_every_surname_can_be_typed() -> None:
    assert len(set(imelib.SURNAMES)) == len(imelib.SURNAMES)
    for surname, readings in imelib._surname_readings():
        assert readings, surname
        assert surname in PinyinIme([]).candidates(readings[0], 48, names=True), surname
