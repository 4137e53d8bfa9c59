"""The one translation catalogue: every word on screen, on paper and on the portal's pages.

GNU gettext catalogues, managed with Babel (``tools/i18n.py`` extracts, updates and generates):

- The message ids are the 简体中文 text itself, so the code reads as the kiosk speaks and zh_CN
  needs no catalogue of its own.
- ``kiosk/locale/en/LC_MESSAGES/kiosk.po`` is translated by hand.
- ``kiosk/locale/zh_Hant/LC_MESSAGES/kiosk.po`` is generated from the ids with OpenCC (``s2t``)
  and checked by a test against a fresh generation; never edit it by hand.

The language is an argument of every call, not a process-wide ``install()``: the screen switches
language at a touch, a printout follows the screen that asked for it, and the portal answers each
phone in its own language, all in one process. Record content is never translated; only our own
words (labels, units, dates, periods, money, validity words, sentences, page furniture) are.

The catalogues are compiled in memory from the ``.po`` files the first time a language is used
(Babel's ``write_mo``, read by the standard library's ``gettext.GNUTranslations``): there is no
``.mo`` to build, commit or forget to rebuild, and an edited ``.po`` takes effect at the next start.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "kiosk"
SOURCE = "zh_CN"  # the language of the message ids
# Each language names itself in its own script (an endonym), so a person finds theirs whatever is on screen.
LANGUAGES: dict[str, str] = {"zh_CN": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
# The CLDR locale Babel formats dates with, per catalogue language.
BABEL_LOCALES = {"zh_CN": "zh_Hans_CN", "zh_Hant": "zh_Hant", "en": "en_GB"}

_lock = threading.Lock()


def N_(message: str) -> str:
    """Mark a message for the catalogue where it is declared (tables of labels); ``tr`` it where it is shown."""
    return message


def NP_(context: str, message: str) -> str:
    """Like ``N_`` for a message that is shown with ``ptr(context, message, lang)``."""
    return message


def check_language(lang: str) -> str:
    """``lang`` if it is one the kiosk speaks, else a clear error (a typo must not silently show Chinese)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def speech_language(lang: str) -> str:
    """The language 朗读 speaks our words in on a ``lang`` screen. The voices are Mandarin and Cantonese
    (``speech.voice``), which read either script but not English, so an English screen is read in 简体中文."""
    return "zh_Hant" if lang == "zh_Hant" else SOURCE


def next_language(lang: str) -> str:
    """The language after ``lang`` in LANGUAGES order, for a single toggle."""
    codes = list(LANGUAGES)
    return codes[(codes.index(lang) + 1) % len(codes)] if lang in codes else SOURCE


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``lang`` (zh_CN: the ids themselves)."""
    check_language(lang)
    if lang == SOURCE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with _lock, path.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _format(text: str, values: Mapping[str, object]) -> str:
    return text.format(**values) if values else text


def tr(message: str, lang: str, /, **values: object) -> str:
    """``message`` (a 简体中文 id) in ``lang``, with ``{name}`` placeholders filled from ``values``."""
    return _format(translations(lang).gettext(message), values)


def ntr(singular: str, plural: str, n: int, lang: str, /, **values: object) -> str:
    """A message whose wording depends on a count (English: 1 page, 2 pages); ``{n}`` is the count."""
    return _format(translations(lang).ngettext(singular, plural, n), {"n": n, **values})


def ptr(context: str, message: str, lang: str, /, **values: object) -> str:
    """A message that needs different words in another language depending on where it stands (msgctxt)."""
    return _format(translations(lang).pgettext(context, message), values)


@dataclass(frozen=True)
class LazyText:
    """A sentence made now and shown later, in whatever language the screen then speaks.

    A print queue's worker or a printer driver does not know the screen's language; it hands back
    the message id and its values, and the screen renders them. ``zh`` is the 简体中文 text, which
    is also what logs, staff alerts and the portal's heartbeat carry.
    """

    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return tr(self.message, lang, **self.values)

    @property
    def zh(self) -> str:
        return self.render(SOURCE)

    def __str__(self) -> str:
        return self.zh


def lazy_tr(message: str, /, **values: object) -> LazyText:
    """Mark a sentence for the catalogue and keep its values; render it with ``.render(lang)``."""
    return LazyText(message, dict(values))


# ---------------------------------------------------------------------------------------- formats
def babel_locale(lang: str) -> str:
    return BABEL_LOCALES[check_language(lang)]


def format_day(value: dt.date | str, lang: str) -> str:
    """A calendar day as the language writes it: 2026-11-21 (zh, as the records and the documents write it) or 21 Nov 2026.

    The pattern itself is a catalogue entry (CLDR date-pattern syntax), so a translator chooses it;
    Babel fills in month names. Text that is not an ISO date is returned as it was.
    """
    from babel.dates import format_date

    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value
    return format_date(day, ptr("date pattern", "yyyy-MM-dd", lang), locale=babel_locale(lang))


def format_moment(value: dt.datetime | str, lang: str) -> str:
    """A day and a time of day: 2026-11-21 10:32, or 21 Nov 2026 10:32. An ISO text keeps the offset it was written
    with (a notice's publish_at is the issuer's local time); text that is not one is returned as it was."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    clock = value.strftime("%H:%M")
    return tr("{day} {time}", lang, day=format_day(value.date(), lang), time=clock)


def weekday_name(value: dt.date, lang: str) -> str:
    """星期六, or Saturday: CLDR's names, through Babel."""
    from babel.dates import format_date

    return format_date(value, "EEEE", locale=babel_locale(lang))


def yuan_amount(fen: int) -> str:
    """1,296.00: the number alone, for columns whose header already names the unit."""
    from kiosk.money import format_fen

    return format_fen(fen, symbol=False).removesuffix("元")


def joined(pieces: list[str] | tuple[str, ...], lang: str) -> str:
    """Meta pieces on one line: 简体 and 繁體 set them apart with an ideographic space, English with a middle dot."""
    return ptr("separator", "　", lang).join(piece for piece in pieces if piece)


def money_words(fen: int, lang: str) -> str:
    """1,296.00元 / 1,296.00 yuan: an amount in a sentence or a total line."""
    return tr("{amount}元", lang, amount=yuan_amount(fen))


def negotiate(accept_language: str | None, requested: str | None = None) -> str:
    """The portal's language for one request: ``?lang=`` if it names one we speak, else the
    browser's Accept-Language (zh-TW / zh-HK / zh-Hant → 繁體, en-* → English), else 简体中文."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    if not accept_language:
        return SOURCE
    from babel import Locale, UnknownLocaleError

    ranked: list[tuple[float, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality + position * 1e-6, tag.strip()))
    for _rank, tag in sorted(ranked):
        try:
            locale = Locale.parse(tag.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            continue
        if locale.language == "en":
            return "en"
        if locale.language == "zh":
            script = locale.script or ("Hant" if locale.territory in ("TW", "HK", "MO") else "Hans")
            return "zh_Hant" if script == "Hant" else "zh_CN"
    return SOURCE
