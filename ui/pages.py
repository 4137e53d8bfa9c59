"""What each kind of record looks like on its reading page, and what 朗读 says for it.

Pure functions from a record to :class:`Part` s, so every detail screen is a ReadingScreen and
the wording of a field lives in one place.
"""

from __future__ import annotations

from typing import Any

from kiosk.browse import ledger_summary
from kiosk.money import format_fen
from ui.reading import Part, esc, field_rows, paragraphs

Record = dict[str, Any]


def _num(fen: int) -> str:
    """1,296.00 for tables whose column header already says 元."""
    return format_fen(fen, symbol=False).removesuffix("元")


def _spoken(fen: int) -> str:
    """1296.00元: no thousands separators, which a speech engine would read out as commas."""
    return format_fen(fen, symbol=False).replace(",", "")


def _speech(*pieces: str) -> str:
    return "\n".join(piece for piece in pieces if piece)


def _head(title: str, meta: list[str], mark: str = "", note: str = "") -> str:
    head = f"<h1>{esc(title)}</h1>"
    if meta:
        head += f"<p class='meta'>{esc('　'.join(m for m in meta if m))}</p>"
    if mark:
        head += f"<p><span class='mark'>&nbsp;{esc(mark)}&nbsp;</span> {esc(note)}</p>"
    return head


# ---------------------------------------------------------------------------------------- documents
def document_parts(document: Record, lang: str) -> list[Part]:
    meta = [document.get("doc_number") or "", document["issuer"], f"发布日期：{document['published_date']}"]
    if document.get("written_date"):
        meta.append(f"成文日期：{document['written_date']}")
    mark = "" if document["validity"] == "现行有效" else document["validity"]
    head = _head(document["title"], meta, mark, document.get("validity_note") or "")
    spoken_mark = f"本文件{mark}。" if mark else ""
    parts = [Part("正文" if lang != "en" else "Text", _speech(document["title"], spoken_mark, document["body"]),
                  head + paragraphs(document["body"]))]
    interp = document.get("interpretation")
    if interp:
        qa = "".join(f"<p><b>问：{esc(item['q'])}</b></p><p>答：{esc(item['a'])}</p>" for item in interp.get("qa", []))
        who = f"<p class='meta'>解读人：{esc(interp['interpreter'])}　联系电话：{esc(interp['interpreter_phone'])}</p>"
        spoken_qa = "\n".join(f"问：{item['q']}\n答：{item['a']}" for item in interp.get("qa", []))
        parts.append(Part("政策解读" if lang != "en" else "Interpretation",
                          _speech(interp.get("title") or f"{document['title']}政策解读", interp["text"], spoken_qa),
                          head + f"<h1>{esc(interp.get('title') or '政策解读')}</h1>" + who + paragraphs(interp["text"]) + qa))
    return parts


# ---------------------------------------------------------------------------------------- subsidies
POLICY_FIELDS = (("name", "补贴名称"), ("basis", "政策依据"), ("department", "主管部门"), ("purpose", "补贴用途"),
                 ("target", "补贴对象"), ("standard", "补贴标准"), ("phone", "咨询电话"))


def policy_parts(policy: Record, lang: str) -> list[Part]:
    """The seven public fields of a subsidy policy (BRIEF: 名称、依据、部门、用途、对象、标准、电话)."""
    pairs = [(label, str(policy.get(key) or "")) for key, label in POLICY_FIELDS[1:]]
    html = _head(policy["name"], [f"{policy['year']}年度"]) + field_rows(pairs)
    speech = _speech(policy["name"], *(f"{label}：{value}" for label, value in pairs if value))
    return [Part("政策" if lang != "en" else "Policy", speech, html)]


# ---------------------------------------------------------------------------------------- boards
BOARD_TYPES = (("finance", "财务公开", "Finances"), ("village", "村务公开", "Village affairs"), ("party", "党务公开", "Party affairs"))


def board_meta(board: Record) -> list[str]:
    return [f"公开日期：{board['published_date']}", f"公开频次：{board.get('frequency', '')}",
            f"监督人：{board['supervisor']}" if board.get("supervisor") else "",
            f"联系电话：{board['contact_phone']}" if board.get("contact_phone") else ""]


def sections_html(board: Record) -> str:
    return "".join(f"<h2>{esc(s['heading'])}</h2>{paragraphs(s['body'])}" for s in board.get("sections", []))


def sections_speech(board: Record) -> str:
    return "\n".join(f"{s['heading']}。{s['body']}" for s in board.get("sections", []))


def board_parts(board: Record, lang: str) -> list[Part]:
    """Party and village boards: headed sections, read in order."""
    html = _head(board["title"], board_meta(board)) + sections_html(board)
    return [Part("公开内容" if lang != "en" else "Contents", _speech(board["title"], sections_speech(board)), html)]


def ledger_html(board: Record) -> str:
    """The ledger as a table: every line with its voucher, then the totals and the balance."""
    summary = ledger_summary(board)
    rows = []
    for line in board.get("lines", []):
        income = line["direction"] == "income"
        amount = _num(line["amount_fen"])
        rows.append(f"<tr><td>{esc(line['date'][5:])}</td><td>{esc(line['summary'])}<br/><span class='meta'>{esc(line['category'])}"
                    f"　{esc(line.get('voucher', ''))}</span></td><td class='num'>{amount if income else ''}</td>"
                    f"<td class='num'>{'' if income else amount}</td></tr>")
    total = (f"<tr><th></th><th>本期合计</th><th class='num'>{_num(summary.income_fen)}</th>"
             f"<th class='num'>{_num(summary.expense_fen)}</th></tr>")
    return (f"<p>期初余额 <b>{_num(summary.opening_fen)}</b> 元　期末余额 <b>{_num(summary.closing_fen)}</b> 元</p>"
            "<table width='100%' cellspacing='0' border='1' style='border-collapse: collapse; border-color: #9AA0A6;'>"
            "<tr><th width='12%'>日期</th><th width='48%'>摘要</th><th width='20%' class='num'>收入（元）</th>"
            "<th width='20%' class='num'>支出（元）</th></tr>"
            + "".join(rows) + total + "</table>")


def ledger_speech(board: Record) -> str:
    summary = ledger_summary(board)
    biggest = summary.expense_by_category[0] if summary.expense_by_category else None
    return _speech(
        board["title"],
        f"期初余额{_spoken(summary.opening_fen)}，本期收入合计{_spoken(summary.income_fen)}，"
        f"支出合计{_spoken(summary.expense_fen)}，期末余额{_spoken(summary.closing_fen)}。",
        f"支出最多的是{biggest[0]}，{_spoken(biggest[1])}。" if biggest else "",
        sections_speech(board),
    )


# ---------------------------------------------------------------------------------------- guides
def guide_parts(guide: Record, lang: str) -> list[Part]:
    """A service guide with the materials as a checklist a person can tick off at home."""
    conditions = "".join(f"<li>{esc(c)}</li>" for c in guide.get("conditions", []))
    materials = "".join(
        f"<p>☐ <b>{esc(m['name'])}</b>　{esc(m.get('form', ''))}"
        + (f"<br/><span class='meta'>{esc(m['note'])}</span>" if m.get("note") else "") + "</p>"
        for m in guide.get("materials", [])
    )
    steps = "".join(f"<p><b>第{i}步</b>　{esc(step)}</p>" for i, step in enumerate(guide.get("steps", []), start=1))
    facts = field_rows([("办理时限", guide.get("time_limit", "")), ("收费标准", guide.get("fees", "")), ("办理地点", guide.get("place", "")),
                        ("办公时间", guide.get("hours", "")), ("咨询电话", guide.get("phone", "")), ("设定依据", guide.get("basis", ""))])
    html = (_head(guide["name"], [guide["department"], guide.get("audience", ""), guide.get("topic", "")])
            + (f"<h2>办理条件</h2><ul>{conditions}</ul>" if conditions else "")
            + (f"<h2>申请材料（请逐项备齐）</h2>{materials}" if materials else "")
            + (f"<h2>办理流程</h2>{steps}" if steps else "") + facts)
    speech = _speech(
        guide["name"],
        "办理条件：" + "；".join(guide.get("conditions", [])) if guide.get("conditions") else "",
        "需要带的材料：" + "；".join(f"{m['name']}，{m.get('form', '')}" for m in guide.get("materials", [])) if guide.get("materials") else "",
        "办理流程：" + "；".join(guide.get("steps", [])) if guide.get("steps") else "",
        f"办理时限：{guide.get('time_limit', '')}。收费：{guide.get('fees', '')}。地点：{guide.get('place', '')}。咨询电话：{guide.get('phone', '')}。",
    )
    return [Part("办事指南" if lang != "en" else "Guide", speech, html)]


# ---------------------------------------------------------------------------------------- catalogue
CATALOGUE_FIELDS = (("sub_domain", "二级事项"), ("content", "公开内容（要素）"), ("basis", "公开依据"), ("deadline", "公开时限"),
                    ("subject", "公开主体"), ("channels", "公开渠道和载体"), ("audience", "公开对象"), ("mode", "公开方式"), ("level", "公开层级"))


def catalogue_item_parts(item: Record, domain_name: str, lang: str) -> list[Part]:
    """Every field of a catalogue item (the standard's columns), in the standard's order."""
    pairs = []
    for key, label in CATALOGUE_FIELDS:
        value = item.get(key)
        if isinstance(value, list):
            value = "、".join(value)
        pairs.append((label, str(value or "")))
    html = _head(item["name"], [f"公开领域：{domain_name}"]) + field_rows(pairs)
    return [Part("目录事项" if lang != "en" else "Item", _speech(item["name"], *(f"{k}：{v}" for k, v in pairs if v)), html)]


# ---------------------------------------------------------------------------------------- notices
def notice_parts(notice: Record, lang: str, when: str) -> list[Part]:
    mark = "紧急" if notice.get("priority") == "urgent" else ""
    html = _head(notice["title"], [notice["issuer"], when], mark) + paragraphs(notice["body"])
    return [Part("通知" if lang != "en" else "Notice", _speech(notice["title"], notice["body"], notice["issuer"]), html)]
