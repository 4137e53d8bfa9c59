"""Keep the translation catalogue in step with the code: extract, update English, generate 繁體中文.

    python tools/i18n.py update   # after changing any tr()/ntr()/ptr()/N_()/lazy_tr() text
    python tools/i18n.py check    # exit 1 if the catalogues are behind the code (what the test checks)

- The template comes from the code (Babel's extractor; Python and the portal's Jinja templates).
- ``en`` keeps every translation it has, gains the new ids untranslated (``update`` lists them, and
  the test fails until each has an English text) and drops ids the code no longer uses.
- ``zh_Hant`` is generated from the ids with OpenCC ``s2t``: character conversion with OpenCC's phrase
  table, and no regional vocabulary. ``s2twp`` would rewrite mainland administrative words into
  Taiwanese usage (信息 → 資訊, 打印 → 列印), renaming the 《政府信息公开条例》 and calling the 打印 button
  something no sign in a Chinese service hall says; the published records stay in mainland wording
  too, so the labels around them should use the same words.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "kiosk" / "locale"
DOMAIN = "kiosk"
SOURCES = ("kiosk", "ui", "printing", "sync/portal", "app")
METHOD_MAP = [("**/demo/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {"tr": (1,), "ntr": (1, 2), "ptr": ((1, "c"), 2), "N_": None, "NP_": ((1, "c"), 2), "lazy_tr": (1,), "labelled": (1,), "_": None}
OPENCC_CONFIG = "s2t"
LANGUAGE_TEAMS = {"en": "English, by hand", "zh_Hant": f"繁體中文, generated with OpenCC {OPENCC_CONFIG}; do not edit"}
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HEADER = "# Translations of the disclosure kiosk's own words (never of record content). See kiosk/i18n.py."


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def template() -> Catalog:
    """Every message the code asks the catalogue for, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="disclosure-kiosk", header_comment=HEADER, fuzzy=False)
    options = {"**/templates/**.html": {"trimmed": "true"}}
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source, METHOD_MAP, options_map=options, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            catalog.add(message, None, [(f"{source}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, header_comment=HEADER, fuzzy=False)
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=120, omit_header=False, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def _fixed_header(catalog: Catalog, lang: str) -> None:
    """Stable headers, so a regeneration changes nothing but real changes (plural forms come from CLDR)."""
    catalog.project, catalog.version = "disclosure-kiosk", "1"
    catalog.msgid_bugs_address = ""
    catalog.copyright_holder = ""
    catalog.last_translator = "disclosure-kiosk"
    catalog.language_team = LANGUAGE_TEAMS[lang]
    catalog.fuzzy = False
    catalog.creation_date = catalog.revision_date = EPOCH


def english(source: Catalog) -> Catalog:
    """The English catalogue updated to ``source``: kept translations, new ids empty, dropped ids gone."""
    catalog = read("en")
    catalog.update(source, no_fuzzy_matching=True, update_header_comment=True)
    catalog.obsolete.clear()
    _fixed_header(catalog, "en")
    return catalog


def traditional(source: Catalog) -> Catalog:
    """繁體中文 generated from the ids (OpenCC s2t); plural forms collapse to one, as Chinese has."""
    import opencc

    convert = opencc.OpenCC(OPENCC_CONFIG).convert
    catalog = Catalog(locale="zh_Hant", domain=DOMAIN, header_comment=HEADER, fuzzy=False)
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string: str | tuple[str, ...] = (convert(message.id[0]),)
        else:
            string = convert(message.id)
        catalog.add(message.id, string, message.locations, auto_comments=message.auto_comments, context=message.context)
    _fixed_header(catalog, "zh_Hant")
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """Ids with no English text (a plural needs both forms)."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return missing


def generated() -> dict[str, Catalog]:
    source = template()
    return {"en": english(source), "zh_Hant": traditional(source)}


def entries(catalog: Catalog) -> dict[tuple[str | None, object], object]:
    """What a catalogue says, without its headers: (context, id) → translation."""
    return {(message.context, message.id): message.string for message in catalog if message.id}


def stale_languages(wanted: dict[str, Catalog]) -> list[str]:
    """Languages whose checked-in .po says something other than a fresh update would."""
    return [lang for lang, catalog in wanted.items() if not po_path(lang).exists() or entries(read(lang)) != entries(catalog)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "check"))
    args = parser.parse_args(argv)
    wanted = generated()
    stale = stale_languages(wanted)
    if args.command == "update":
        for lang in stale:
            po_path(lang).parent.mkdir(parents=True, exist_ok=True)
            po_path(lang).write_bytes(render(wanted[lang]))
            print(f"wrote {po_path(lang).relative_to(ROOT)}")
    missing = untranslated(wanted["en"])
    for message in missing:
        print(f"en: untranslated: {message}")
    if args.command == "check" and stale:
        print(f"out of date: {', '.join(stale)}; run python tools/i18n.py update", file=sys.stderr)
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
