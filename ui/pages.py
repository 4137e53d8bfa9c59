"""What each kind of record looks like on its reading page, and what 朗读 says for it.

Pure functions from a record to :class:`Part` s, so every detail screen is a ReadingScreen and
the wording of a field lives in one place. Our words (labels, dates, units, validity words) come
from the catalogue in the screen's language; the record's own text is shown as published. What
朗读 says uses ``speech_language``: the voices speak Chinese, so an English screen is read in Chinese.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kiosk.browse import ledger_summary
from kiosk.i18n import N_, format_day, joined, ptr, speech_language, tr, yuan_amount
from kiosk.labels import labelled, value_label
from ui.reading import Part, esc, field_rows, paragraphs

Record = dict[str, Any]


def _spoken(fen: int, lang: str) -> str:
    """1296.00元: no thousands separators, which a speech engine would read out as commas."""
    return tr("{amount}元", lang, amount=yuan_amount(fen).replace(",", ""))


def _speech(*pieces: str) -> str:
    return "\n".join(piece for piece in pieces if piece)


def _head(title: str, meta: list[str], lang: str, mark: str = "", note: str = "") -> str:
    head = f"<h1>{esc(title)}</h1>"
    if meta:
        head += f"<p class='meta'>{esc(joined(meta, lang))}</p>"
    if mark:
        head += f"<p><span class='mark'>&nbsp;{esc(mark)}&nbsp;</span> {esc(note)}</p>"
    return head


def _pairs(pairs: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """(label id, value) → (label in ``lang``, value), for field_rows."""
    return [(tr(label, lang), value) for label, value in pairs]


# ---------------------------------------------------------------------------------------- documents
def document_parts(document: Record, lang: str) -> list[Part]:
    spoken = speech_language(lang)
    meta = [document.get("doc_number") or "", document["issuer"], labelled("发布日期", format_day(document["published_date"], lang), lang)]
    if document.get("written_date"):
        meta.append(labelled("成文日期", format_day(document["written_date"], lang), lang))
    repealed = document["validity"] != "现行有效"
    mark = value_label(document["validity"], lang) if repealed else ""
    head = _head(document["title"], meta, lang, mark, document.get("validity_note") or "")
    spoken_mark = tr("本文件{validity}。", spoken, validity=value_label(document["validity"], spoken)) if repealed else ""
    parts = [Part(ptr("reading tab", "正文", lang), _speech(document["title"], spoken_mark, document["body"]),
                  head + paragraphs(document["body"]))]
    interp = document.get("interpretation")
    if interp:
        qa = "".join(_qa_html(item, lang) for item in interp.get("qa", []))
        who = tr("解读人：{name}　联系电话：{phone}", lang, name=interp["interpreter"], phone=interp["interpreter_phone"])
        spoken_qa = "\n".join(tr("问：{question}", spoken, question=item["q"]) + "\n" + tr("答：{answer}", spoken, answer=item["a"])
                              for item in interp.get("qa", []))
        spoken_title = interp.get("title") or tr("{title}政策解读", spoken, title=document["title"])
        heading = interp.get("title") or tr("政策解读", lang)
        parts.append(Part(ptr("reading tab", "政策解读", lang), _speech(spoken_title, interp["text"], spoken_qa),
                          head + f"<h1>{esc(heading)}</h1><p class='meta'>{esc(who)}</p>" + paragraphs(interp["text"]) + qa))
    if repealed:  # above the page on every page turn, not only at the top of the first
        banner = joined([mark, document.get("validity_note") or ""], lang)
        parts = [dataclasses.replace(part, mark=banner) for part in parts]
    return parts


def _qa_html(item: Record, lang: str) -> str:
    question = tr("问：{question}", lang, question=item["q"])
    answer = tr("答：{answer}", lang, answer=item["a"])
    return f"<p><b>{esc(question)}</b></p><p>{esc(answer)}</p>"


# ---------------------------------------------------------------------------------------- subsidies
POLICY_FIELDS = (("name", N_("补贴名称")), ("basis", N_("政策依据")), ("department", N_("主管部门")), ("purpose", N_("补贴用途")),
                 ("target", N_("补贴对象")), ("standard", N_("补贴标准")), ("phone", N_("咨询电话")))


def policy_parts(policy: Record, lang: str) -> list[Part]:
    """The seven public fields of a subsidy policy (BRIEF: 名称、依据、部门、用途、对象、标准、电话)."""
    spoken = speech_language(lang)
    pairs = [(label, str(policy.get(key) or "")) for key, label in POLICY_FIELDS[1:]]
    html = _head(policy["name"], [tr("{year}年度", lang, year=policy["year"])], lang) + field_rows(_pairs(pairs, lang))
    speech = _speech(policy["name"], *(labelled(label, value, spoken) for label, value in pairs if value))
    return [Part(ptr("reading tab", "政策", lang), speech, html)]


# ---------------------------------------------------------------------------------------- boards
BOARD_TYPES = (("finance", N_("财务公开")), ("village", N_("村务公开")), ("party", N_("党务公开")))


def board_meta(board: Record, lang: str) -> list[str]:
    return [labelled("公开日期", format_day(board["published_date"], lang), lang),
            labelled("公开频次", value_label(board.get("frequency", ""), lang), lang),
            labelled("监督人", board["supervisor"], lang) if board.get("supervisor") else "",
            labelled("联系电话", board["contact_phone"], lang) if board.get("contact_phone") else ""]


def sections_html(board: Record) -> str:
    return "".join(f"<h2>{esc(s['heading'])}</h2>{paragraphs(s['body'])}" for s in board.get("sections", []))


def sections_speech(board: Record) -> str:
    return "\n".join(f"{s['heading']}。{s['body']}" for s in board.get("sections", []))


def board_parts(board: Record, lang: str) -> list[Part]:
    """Party and village boards: headed sections, read in order."""
    html = _head(board["title"], board_meta(board, lang), lang) + sections_html(board)
    return [Part(ptr("reading tab", "公开内容", lang), _speech(board["title"], sections_speech(board)), html)]


def ledger_columns(lang: str) -> tuple[tuple[str, int], ...]:
    """The ledger table's columns and their width shares, as ledger_html sets them: pinned above pages 2 and on."""
    return tuple((tr(text, lang), share) for text, share in ((N_("日期"), 12), (N_("摘要"), 48), (N_("收入（元）"), 20), (N_("支出（元）"), 20)))


def ledger_html(board: Record, lang: str) -> str:
    """The ledger as a table: every line with its voucher, then the totals and the balance."""
    summary = ledger_summary(board)
    rows = []
    for line in board.get("lines", []):
        income = line["direction"] == "income"
        amount = yuan_amount(line["amount_fen"])
        rows.append(f"<tr><td>{esc(line['date'][5:])}</td><td>{esc(line['summary'])}<br/><span class='meta'>{esc(line['category'])}"
                    f"　{esc(line.get('voucher', ''))}</span></td><td class='num'>{amount if income else ''}</td>"
                    f"<td class='num'>{'' if income else amount}</td></tr>")
    headers = [esc(tr(text, lang)) for text in (N_("本期合计"), N_("期初余额"), N_("期末余额"), N_("日期"), N_("摘要"), N_("收入（元）"),
                                                 N_("支出（元）"))]
    total, opening, closing, date, summary_header, income_header, expense_header = headers
    unit = esc(tr("元", lang))
    total_row = (f"<tr><th></th><th>{total}</th><th class='num'>{yuan_amount(summary.income_fen)}</th>"
                 f"<th class='num'>{yuan_amount(summary.expense_fen)}</th></tr>")
    return (f"<p>{opening} <b>{yuan_amount(summary.opening_fen)}</b> {unit}　{closing} <b>{yuan_amount(summary.closing_fen)}</b> {unit}</p>"
            "<table width='100%' cellspacing='0' border='1' style='border-collapse: collapse; border-color: #9AA0A6;'>"
            f"<tr><th width='12%'>{date}</th><th width='48%'>{summary_header}</th><th width='20%' class='num'>{income_header}</th>"
            f"<th width='20%' class='num'>{expense_header}</th></tr>"
            + "".join(rows) + total_row + "</table>")


def ledger_speech(board: Record, lang: str) -> str:
    spoken = speech_language(lang)
    summary = ledger_summary(board)
    biggest = summary.expense_by_category[0] if summary.expense_by_category else None
    return _speech(
        board["title"],
        tr("期初余额{opening}，本期收入合计{income}，支出合计{expense}，期末余额{closing}。", spoken,
           opening=_spoken(summary.opening_fen, spoken), income=_spoken(summary.income_fen, spoken),
           expense=_spoken(summary.expense_fen, spoken), closing=_spoken(summary.closing_fen, spoken)),
        tr("支出最多的是{category}，{amount}。", spoken, category=biggest[0], amount=_spoken(biggest[1], spoken)) if biggest else "",
        sections_speech(board),
    )


# ---------------------------------------------------------------------------------------- guides
GUIDE_FACTS = (("time_limit", N_("办理时限")), ("fees", N_("收费标准")), ("place", N_("办理地点")), ("hours", N_("办公时间")),
               ("phone", N_("咨询电话")), ("basis", N_("设定依据")))


def guide_parts(guide: Record, lang: str) -> list[Part]:
    """A service guide with the materials as a checklist a person can tick off at home."""
    spoken = speech_language(lang)
    conditions = "".join(f"<li>{esc(c)}</li>" for c in guide.get("conditions", []))
    materials = "".join(
        f"<p>☐ <b>{esc(m['name'])}</b>　{esc(m.get('form', ''))}"
        + (f"<br/><span class='meta'>{esc(m['note'])}</span>" if m.get("note") else "") + "</p>"
        for m in guide.get("materials", [])
    )
    steps = ""
    for number, step in enumerate(guide.get("steps", []), start=1):
        label = tr("第{number}步", lang, number=number)
        steps += f"<p><b>{esc(label)}</b>　{esc(step)}</p>"
    facts = field_rows(_pairs([(label, guide.get(key, "")) for key, label in GUIDE_FACTS], lang))
    headings = {key: esc(tr(text, lang)) for key, text in (("conditions", N_("办理条件")), ("materials", N_("申请材料（请逐项备齐）")),
                                                          ("steps", N_("办理流程")))}
    html = (_head(guide["name"], [guide["department"], value_label(guide.get("audience", ""), lang), guide.get("topic", "")], lang)
            + (f"<h2>{headings['conditions']}</h2><ul>{conditions}</ul>" if conditions else "")
            + (f"<h2>{headings['materials']}</h2>{materials}" if materials else "")
            + (f"<h2>{headings['steps']}</h2>{steps}" if steps else "") + facts)
    speech = _speech(
        guide["name"],
        tr("办理条件：{items}", spoken, items="；".join(guide["conditions"])) if guide.get("conditions") else "",
        tr("需要带的材料：{items}", spoken, items="；".join(f"{m['name']}，{m.get('form', '')}" for m in guide["materials"]))
        if guide.get("materials") else "",
        tr("办理流程：{items}", spoken, items="；".join(guide["steps"])) if guide.get("steps") else "",
        tr("办理时限：{time_limit}。收费：{fees}。地点：{place}。咨询电话：{phone}。", spoken, time_limit=guide.get("time_limit", ""),
           fees=guide.get("fees", ""), place=guide.get("place", ""), phone=guide.get("phone", "")),
    )
    return [Part(ptr("reading tab", "办事指南", lang), speech, html)]


# ---------------------------------------------------------------------------------------- catalogue
CATALOGUE_FIELDS = (("sub_domain", N_("二级事项")), ("content", N_("公开内容（要素）")), ("basis", N_("公开依据")), ("deadline", N_("公开时限")),
                    ("subject", N_("公开主体")), ("channels", N_("公开渠道和载体")), ("audience", N_("公开对象")), ("mode", N_("公开方式")),
                    ("level", N_("公开层级")))
CATALOGUE_WORDS = frozenset({"audience", "mode", "level"})  # fields whose values are the standard's fixed words


def _catalogue_pairs(item: Record, lang: str) -> list[tuple[str, str]]:
    """(label id, value in ``lang``): the standard's fixed words translated, the item's own text as published."""
    pairs = []
    for key, label in CATALOGUE_FIELDS:
        value = item.get(key)
        values = value if isinstance(value, list) else [value] if value else []
        shown = [value_label(str(v), lang) if key in CATALOGUE_WORDS else str(v) for v in values]
        pairs.append((label, tr("、", lang).join(shown)))
    return pairs


def catalogue_item_parts(item: Record, domain_name: str, lang: str) -> list[Part]:
    """Every field of a catalogue item (the standard's columns), in the standard's order."""
    spoken = speech_language(lang)
    html = _head(item["name"], [labelled("公开领域", domain_name, lang)], lang) + field_rows(_pairs(_catalogue_pairs(item, lang), lang))
    speech = _speech(item["name"], *(labelled(label, value, spoken) for label, value in _catalogue_pairs(item, spoken) if value))
    return [Part(ptr("reading tab", "目录事项", lang), speech, html)]


# ---------------------------------------------------------------------------------------- notices
def notice_parts(notice: Record, lang: str, when: str) -> list[Part]:
    mark = tr("紧急", lang) if notice.get("priority") == "urgent" else ""
    html = _head(notice["title"], [notice["issuer"], when], lang, mark) + paragraphs(notice["body"])
    return [Part(ptr("reading tab", "通知", lang), _speech(notice["title"], notice["body"], notice["issuer"]), html)]
