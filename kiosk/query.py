"""From what a resident types to what search looks for (issue 14): a query pipeline that understands Chinese.

Steps, each cheap and each optional for the next:
1. fold: NFKC, lower case, traditional → simplified (OpenCC ``t2s``, the same folding the index gets in
   kiosk/records/text.py), document numbers in one canonical form (溪政发(2025)5号, 溪政发[2025]5号,
   溪政发2025 5号 → 溪政发〔2025〕5号);
2. words: Chinese runs are segmented with rjieba, whose user dictionary is the store's titles, keywords,
   region names and synonym terms, so 临时救助 stays one word; question words (怎么, 如何, 有哪些, 吗, 我家…)
   are dropped;
3. full pinyin (``linshijiuzhu``, ``lin shi jiu zhu``) becomes content words through the on-screen keyboard's
   engine (kiosk/ime.py, ``PinyinIme.content_words``); first letters are still searched beside it;
4. each word becomes a group of equivalent terms: itself plus the county's synonyms (``synonym`` records);
5. region names in the query (桃源村, 溪源镇) leave the words and boost that region's content;
6. ``corrected`` words for the fallback: every run re-spelled from its pinyin with content words (临时就助 →
   临时救助), used when the words as typed find nothing, and offered as 您是不是要找.

Memory: the segmenter's dictionary (~8 MB: jieba's 100,000 most frequent words, see ``_segmenter``) and the
pinyin engine are loaded on the first query that needs them,
once per process (``_segmenter``, ``shared_ime``), never at import.
"""

from __future__ import annotations

import gzip
import importlib.machinery
import importlib.util
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

MAX_QUERY_CHARS = 60
MAX_GROUPS = 6
MAX_SYNONYMS = 8
SHORT = 3  # terms shorter than this are not seen by the trigram index

_SPLIT = re.compile(r"[\s,，、;；。!！?？:：|/\\'\"“”‘’]+")
_LETTERS = re.compile(r"^[a-z ]+$")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z]+|[0-9]+(?:\.[0-9]+)?|〔[0-9]{4}〕")
# 溪政发〔2025〕5号 typed any way: 〔〕 [] () （） 【】 or no brackets, 年 or a space after the year, 第, no 号.
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,10}?[发办函字令])\s*[〔\[(（【]?\s*((?:19|20)[0-9]{2})\s*[〕\])）】年]?\s*第?\s*([0-9]{1,4})\s*(?:号|(?=\s|$))"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Question and filler words: how people ask, not what they ask about.
STOP_WORDS = _words(
    "怎么 怎么样 怎样 怎么办 咋 咋办 如何 有哪些 哪些 哪个 哪里 哪儿 哪 什么 什么样 什么时候 啥 吗 呢 吧 "
    "啊 呀 嘛 了 的 得 地 我 我家 我们 我想 想 想要 要 需要 请问 请 能 能不能 可以 可不可以 是 是不是 "
    "有 有没有 没有 在 去 到 给 把 被 和 与 多少 多少钱 几 几个 一个 个 谁 找谁 啥时候 时候 办 带 "
    "带什么 交 领 怎么交 怎么领 还 都 也 就 又 再 么 "
)
#: Words that say what kind of help is wanted: they rank records that hold them first but never exclude one.
SOFT_WORDS = _words(
    "申请 办理 材料 条件 流程 手续 标准 规定 政策 文件 通知 补助 补贴 待遇 多少 时间 地点 电话 每亩 每月 "
    "一个月 每年 钱 费用 "
)


@dataclass(frozen=True)
class Group:
    """One word of the query and the terms that count as it (synonyms); ``terms[0]`` is what was typed."""

    terms: tuple[str, ...]

    @property
    def word(self) -> str:
        return self.terms[0]


@dataclass
class Plan:
    """What one query asks for."""

    text: str  # folded query
    groups: list[Group] = field(default_factory=list)
    letters: str = ""  # letters-only query, for the first-letter path
    pinyin: bool = False  # groups came from full pinyin
    regions: list[str] = field(default_factory=list)  # region codes named in the query
    corrected: list[Group] = field(default_factory=list)  # same-sound corrections, when they differ
    soft: set[str] = field(default_factory=set)  # words that rank but never exclude
    phrases: list[str] = field(default_factory=list)  # 3+ character runs cut into words: also searched as typed


# --------------------------------------------------------------------------- folding
_opencc_lock = threading.Lock()
_opencc: Any = None


def to_simplified(text: str) -> str:
    """Traditional → simplified; text without any character OpenCC would change comes back as it is."""
    global _opencc
    if not text or text.isascii():
        return text
    try:
        text.encode("gb2312")  # GB2312 is simplified characters only: nothing to convert (and no OpenCC call)
        return text
    except UnicodeEncodeError:
        pass
    if _opencc is None:
        with _opencc_lock:
            if _opencc is None:
                import opencc

                _opencc = opencc.OpenCC("t2s")
    try:
        return _opencc.convert(text)
    except UnicodeEncodeError:  # a lone surrogate: nothing OpenCC could read
        return text


def canonical_doc_numbers(text: str) -> str:
    """Every document number in ``text`` as 机关代字〔年份〕序号号."""
    return _DOC_NUMBER.sub(lambda m: f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号", text)


def fold(text: str) -> str:
    """What both the query and the index are compared in: NFKC, no control characters, lower case,
    simplified characters, canonical document numbers. Bounded in length."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Cf", "Co", "Cn"))
    text = text[: MAX_QUERY_CHARS * 4].strip().lower()
    return canonical_doc_numbers(to_simplified(text))


# --------------------------------------------------------------------------- shared engines
_segment_lock = threading.Lock()
_known_words: set[str] = set()


WORDS_FILE = Path(__file__).resolve().parent / "data" / "segment-words.txt.gz"


def _jieba_class() -> Any:
    """rjieba's ``Jieba`` class without ``import rjieba``: that package builds its default instance over the full
    349,046-word dictionary at import (~33 MB resident, docs/BENCHMARKS.md). The compiled module is loaded on its
    own; nothing in the kiosk may ``import rjieba`` for the same reason."""
    spec = importlib.util.find_spec("rjieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("rjieba is not installed (pyproject.toml lists it)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"rjieba{suffix}"
        if path.exists():
            compiled = importlib.util.spec_from_file_location("rjieba.rjieba", path)
            assert compiled is not None and compiled.loader is not None
            module = importlib.util.module_from_spec(compiled)
            compiled.loader.exec_module(module)
            return module.Jieba
    raise ImportError(f"rjieba's compiled module is missing from {folder}")


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    """One segmenter per process over jieba's 100,000 most frequent words (tools/segment_words.py), ~10 MB
    resident instead of ~33 MB for all 349,046; the store's own words are added on top (``add_words``).
    Read line by line, so no list of 100,000 small strings is made and left behind in the allocator's arenas."""
    jieba = _jieba_class().empty()
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            word, _, freq = line.rstrip("\n").partition(" ")
            jieba.add_word(word, int(freq), None)
    return jieba


def add_words(words: Iterable[str]) -> None:
    """Teach the one shared segmenter these words (titles, keywords, region and synonym names)."""
    jieba = _segmenter()
    with _segment_lock:
        for word in words:
            if 2 <= len(word) <= 16 and word not in _known_words and _HAN.fullmatch(word):
                _known_words.add(word)
                jieba.add_word(word, 2_000_000, None)


def segment(text: str) -> list[str]:
    return [piece for piece in _segmenter().cut(text, True) if piece.strip()]


_ime_lock = threading.Lock()


@lru_cache(maxsize=2)
def _cached_ime(vocabulary: tuple[str, ...]) -> Any:
    from kiosk.ime import PinyinIme

    return PinyinIme(vocabulary)


def shared_ime(vocabulary: Sequence[str]) -> Any:
    """One pinyin engine per vocabulary in the process (building one takes about a second)."""
    with _ime_lock:
        return _cached_ime(tuple(vocabulary))


def syllables_of(letters: str) -> list[str]:
    """Whole pinyin syllables of ``letters`` (spaces respected), or [] if they do not spell pinyin."""
    from kiosk.ime import _syllable_table, split_pinyin

    whole = _syllable_table()[0]
    out: list[str] = []
    for chunk in letters.split():
        if chunk in whole:
            out.append(chunk)
            continue
        pieces = next((p for p in split_pinyin(chunk) if all(s in whole for s in p)), None)
        if pieces is None:
            return []
        out.extend(pieces)
    return out


def han_syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s.isalpha()]


def words_from_syllables(syllables: list[str], ime: Any, original: str = "", longest: int = 8) -> list[str]:
    """Greedy longest match of content words over the syllables; [] if some syllable fits no word.

    With ``original`` (the characters the syllables were read from, one each), a syllable that starts no
    longer word keeps its typed character: a lone 的 or 要 is never "corrected" into another character."""
    words: list[str] = []
    at = 0
    while at < len(syllables):
        for end in range(min(len(syllables), at + longest), at, -1):
            if end - at == 1 and original:
                words.append(original[at])
                at = end
                break
            found = ime.content_words(tuple(syllables[at:end]), 1)
            if found:
                words.append(found[0])
                at = end
                break
        else:
            return []
    return words


def split_word(word: str) -> list[str]:
    """A long word that finds nothing as a whole, in two-character pieces (两癌筛查 → 两癌, 筛查)."""
    if len(word) < 4 or not _HAN.fullmatch(word):
        return [word]
    pieces = [word[i : i + 2] for i in range(0, len(word) - len(word) % 2, 2)]
    if len(word) % 2:
        pieces[-1] += word[-1]
    return pieces


# --------------------------------------------------------------------------- the pipeline
class QueryParser:
    """Turns query text into a :class:`Plan`, with the store's words, synonyms and region names."""

    def __init__(self, vocabulary: Callable[[], list[str]], synonyms: Callable[[], list[list[str]]],
                 region_names: Callable[[], dict[str, str]]) -> None:
        self._vocabulary_source = vocabulary
        self._synonym_source = synonyms
        self._region_source = region_names
        self._loaded = False
        self._synonyms: dict[str, tuple[str, ...]] = {}
        self._regions: dict[str, str] = {}
        self._vocabulary: list[str] = []
        self._ime: Any = None

    def reload(self) -> None:
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._vocabulary = self._vocabulary_source()
        synonyms: dict[str, tuple[str, ...]] = {}
        for terms in self._synonym_source():
            folded = tuple(dict.fromkeys(fold(t) for t in terms if t))
            for term in folded:
                synonyms[term] = tuple(dict.fromkeys((*synonyms.get(term, ()), *folded)))
        self._synonyms = synonyms
        regions: dict[str, str] = {}
        for code, name in self._region_source().items():
            short = name
            for full in (name,):
                regions[fold(full)] = code
            if code.endswith("000000000000") is False and len(short) >= 3:
                regions[fold(short)] = code
        self._regions = regions
        add_words([*self._vocabulary, *synonyms, *regions])
        self._loaded = True

    def use_ime(self, ime: Any) -> None:
        """Use this pinyin engine (the on-screen keyboard's, already built) instead of building a second one."""
        self._ime = ime

    def ime(self) -> Any:
        self._load()
        if self._ime is not None:
            return self._ime
        return shared_ime(self._vocabulary + list(self._synonyms))

    def parse(self, query: str) -> Plan:
        text = fold(query)
        plan = Plan(text=text)
        if not text:
            return plan
        if _LETTERS.match(text):
            plan.letters = text.replace(" ", "")
            syllables = syllables_of(text)
            if syllables:
                self._load()
                words = words_from_syllables(syllables, self.ime())
                if words:
                    plan.pinyin = True
                    plan.groups = [self._group(w) for w in words][:MAX_GROUPS]
            return plan
        self._load()
        words: list[str] = []
        for chunk in (c for c in _SPLIT.split(text) if c):
            whole = self._synonyms.get(chunk) or (chunk if chunk in self._regions else None)
            if whole or (_HAN.fullmatch(chunk) and chunk in _known_words and len(chunk) >= 2):
                words.append(chunk)
                continue
            pieces = self._pieces(chunk)
            if len(pieces) > 1 and len(chunk) >= 3:
                plan.phrases.append(chunk)
            words.extend(pieces)
        kept: list[str] = []
        for word in words:
            if word in STOP_WORDS or (len(word) == 1 and _HAN.fullmatch(word) and word in "的了吗呢吧啊呀嘛么"):
                continue
            code = self._regions.get(word)
            if code is not None:
                plan.regions.append(code)
            if word not in kept:
                kept.append(word)
        if plan.regions and len(kept) > len(plan.regions):
            kept = [w for w in kept if w not in self._regions]  # the place filters; the rest is what is asked
        if any(len(w) >= 2 for w in kept):  # a lone 补 or 丢 beside real words only adds noise
            kept = [w for w in kept if len(w) >= 2 or not _HAN.fullmatch(w)]
        budget = MAX_QUERY_CHARS
        for word in kept[:MAX_GROUPS]:
            if budget <= 0:
                break
            plan.groups.append(self._group(word[:budget]))
            budget -= len(word)
        plan.soft = {g.word for g in plan.groups if g.word in SOFT_WORDS or len(g.word) == 1}
        return plan

    def correct(self, plan: Plan) -> list[Group]:
        """Same-sound corrections of the plan's words (costly: asked for only when the words find nothing)."""
        if not plan.pinyin and plan.groups and not plan.corrected:
            plan.corrected = self._corrections(plan.groups)
        return plan.corrected

    def _pieces(self, chunk: str) -> list[str]:
        """Segment a chunk: document numbers and digits stay whole, Chinese goes through rjieba."""
        if "〔" in chunk:
            return [chunk]
        out: list[str] = []
        for match in _TOKEN.finditer(chunk):
            piece = match.group(0)
            if _HAN.fullmatch(piece):
                out.extend(p for p in segment(piece) if p.strip())
            else:
                out.append(piece)
        return out or [chunk]

    def _group(self, word: str) -> Group:
        alternatives = self._synonyms.get(word, ())
        return Group((word, *[t for t in alternatives if t != word][:MAX_SYNONYMS]))

    def _corrections(self, groups: list[Group]) -> list[Group]:
        """The Chinese words re-spelled from their sound with content words, where that changes them."""
        words = [g.word for g in groups]
        if not any(_HAN.fullmatch(w) and w not in _known_words for w in words):
            return []
        ime = self.ime()
        corrected: list[str] = []
        changed = False
        # Adjacent unknown pieces are joined first: 临时就助 is cut into 临时/就/助.
        run: list[str] = []

        def flush() -> None:
            nonlocal changed
            if not run:
                return
            text = "".join(run)
            syllables = han_syllables(text)
            fixed = words_from_syllables(syllables, ime, text if len(syllables) == len(text) else "")
            if fixed and "".join(fixed) != text:
                corrected.extend(fixed)
                changed = True
            else:
                corrected.extend(run)
            run.clear()

        for word in words:
            if _HAN.fullmatch(word) and (word not in _known_words or len(word) == 1) and word not in self._regions:
                run.append(word)
            else:
                flush()
                corrected.append(word)
        flush()
        if not changed:
            return []
        return [self._group(w) for w in dict.fromkeys(corrected)][:MAX_GROUPS]
