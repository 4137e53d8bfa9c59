"""What each kind of record looks like on A4: the flowables of its pages, top to bottom.

Pure functions of a record (plus the QR address and a few names), so every layout can be
tested by reading back the PDF's text and compared with the record it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from kiosk.browse import ledger_summary
from kiosk.labels import ledger_lines, period_label
from kiosk.money import format_fen
from printing.layout import Stamp, Styles, qr_block
from printing.pdf import content_width

Record = dict[str, Any]
QR_SIZE = 32 * mm
QR_CAPTION = "扫码看网上原文"
REPEALED = ("已废止", "已失效")
BOARD_NAMES = {"finance": "财务公开", "village": "村务公开", "party": "党务公开"}


@dataclass
class Story:
    """The flowables of one printout and whether it needs landscape pages."""

    title: str
    flowables: list[Flowable] = field(default_factory=list)
    wide: bool = False


def yuan(fen: int) -> str:
    """1,296.00 — the column header already says 元."""
    return format_fen(fen, symbol=False).removesuffix("元")


def _head(styles: Styles, title: str, meta: Sequence[str], qr_url: str | None, wide: bool = False) -> list[Flowable]:
    """Title and meta line, with the QR code to the right when there is one."""
    text = [styles.para(title, styles.title), styles.para("　".join(m for m in meta if m), styles.meta)]
    if not qr_url:
        return [*text, Spacer(1, 4 * mm)]
    width = content_width(wide)
    qr_width = QR_SIZE + 8 * mm
    table = styles.table([[text, qr_block(styles, qr_url, QR_SIZE, QR_CAPTION)]], [width - qr_width, qr_width],
                         [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return [table, Spacer(1, 4 * mm)]


def document_story(styles: Styles, doc: Record, qr_url: str | None, *, with_interpretation: bool = False) -> Story:
    story = Story(doc["title"])
    out = story.flowables
    out += _head(styles, doc["title"], [doc.get("doc_number", ""), doc["issuer"]], qr_url)
    if doc["validity"] != "现行有效":
        out.append(Stamp(styles, doc["validity"]))
        if doc.get("validity_note"):
            out.append(styles.para(doc["validity_note"], styles.mark))
        out.append(Spacer(1, 3 * mm))
    out.append(styles.fields([
        ("发文字号", doc.get("doc_number", "")), ("发文机关", doc["issuer"]), ("文件类型", f"{doc['doc_type']}（{doc['level']}）"),
        ("成文日期", doc.get("written_date", "")), ("发布日期", doc["published_date"]), ("施行日期", doc.get("effective_date", "")),
        ("有效性", doc["validity"]), ("主题分类", doc.get("topic", "")),
    ], content_width()))
    out.append(Spacer(1, 5 * mm))
    out += styles.paras(doc["body"])
    attachments = doc.get("attachments", [])
    if attachments:
        out.append(styles.para("附件", styles.heading))
        out += [styles.para(f"{number}. {item.get('name') or item.get('title') or ''}", styles.plain)
                for number, item in enumerate(attachments, 1)]
    interpretation = doc.get("interpretation")
    if with_interpretation and interpretation:
        out += interpretation_flowables(styles, interpretation)
    return story


def interpretation_flowables(styles: Styles, interpretation: Record) -> list[Flowable]:
    out: list[Flowable] = [Spacer(1, 6 * mm), styles.para("政策解读：" + interpretation.get("title", ""), styles.heading)]
    if interpretation.get("published_date"):
        out.append(styles.para(f"解读发布日期：{interpretation['published_date']}", styles.small))
    out += styles.paras(interpretation["text"])
    for pair in interpretation.get("qa", []):
        out.append(KeepTogether([styles.para("问：" + pair["q"], styles.plain), styles.para("答：" + pair["a"], styles.body)]))
    out.append(styles.para(f"解读人：{interpretation['interpreter']}　联系电话：{interpretation['interpreter_phone']}", styles.plain))
    return out


def board_story(styles: Styles, board: Record, village_name: str, qr_url: str | None) -> Story:
    finance = board["board_type"] == "finance"
    story = Story(board["title"], wide=finance)
    meta = [village_name, BOARD_NAMES[board["board_type"]], period_label(board["period"]), f"公开日期：{board['published_date']}"]
    story.flowables += _head(styles, board["title"], meta, qr_url, wide=finance)
    if finance:
        story.flowables += ledger_flowables(styles, board)
    for section in board.get("sections", []):
        story.flowables.append(styles.para(section["heading"], styles.heading))
        story.flowables += styles.paras(section["body"])
    signature = "　".join(piece for piece in (
        f"村务监督委员会审核人：{board['supervisor']}" if board.get("supervisor") else "",
        f"监督电话：{board['contact_phone']}" if board.get("contact_phone") else "",
    ) if piece)
    if signature:
        story.flowables += [Spacer(1, 4 * mm), styles.para(signature, styles.plain)]
    return story


def ledger_flowables(styles: Styles, board: Record) -> list[Flowable]:
    """Four totals, then every ledger line with a running balance; the header repeats on each page."""
    summary = ledger_summary(board)
    width = content_width(wide=True)
    totals = styles.grid(["期初余额（元）", "本期收入（元）", "本期支出（元）", "期末余额（元）"],
                         [[yuan(summary.opening_fen), yuan(summary.income_fen), yuan(summary.expense_fen), yuan(summary.closing_fen)]],
                         [width / 4] * 4, numeric={0, 1, 2, 3})
    shares = [0.1, 0.16, 0.34, 0.1, 0.1, 0.1, 0.1]
    rows = [[line.date, line.category, line.summary, line.voucher, yuan(line.income_fen) if line.income_fen else "",
             yuan(line.expense_fen) if line.expense_fen else "", yuan(line.balance_fen)] for line in ledger_lines(board)]
    rows.append(["", "本期合计", "", "", yuan(summary.income_fen), yuan(summary.expense_fen), ""])
    rows.append(["", "期末余额", "", "", "", "", yuan(summary.closing_fen)])
    ledger = styles.grid(["日期", "收支类别", "摘要", "凭证号", "收入（元）", "支出（元）", "余额（元）"], rows,
                         [width * share for share in shares], numeric={4, 5, 6}, total_rows=2)
    return [totals, Spacer(1, 5 * mm), styles.para("收支明细", styles.heading), ledger]


def payments_story(styles: Styles, title: str, rows: list[Record], total: int, total_fen: int, qr_url: str | None) -> Story:
    """A village's payment list with masked names, the count and the sum, on landscape pages."""
    story = Story(title, wide=True)
    story.flowables += _head(styles, title, [f"共 {total} 笔　合计 {format_fen(total_fen, symbol=False)}", "姓名已按规定隐去部分字"],
                             qr_url, wide=True)
    width = content_width(wide=True)
    shares = [0.06, 0.1, 0.2, 0.1, 0.1, 0.12, 0.11, 0.08, 0.13]
    table_rows = [[str(number), row["recipient"], row["policy_name"], row.get("quantity", ""), yuan(row["amount_fen"]),
                   period_label(row["period"]), row.get("paid_date", ""), row["status"], row.get("note", "")]
                  for number, row in enumerate(rows, 1)]
    table_rows.append(["", "合计", "", "", yuan(total_fen), "", "", "", ""])
    story.flowables.append(styles.grid(["序号", "姓名", "补贴项目", "数量", "金额（元）", "期间", "发放日期", "状态", "备注"], table_rows,
                                       [width * share for share in shares], numeric={0, 4}, total_rows=1))
    return story


def guide_story(styles: Styles, guide: Record, qr_url: str | None) -> Story:
    story = Story(guide["name"])
    out = story.flowables
    out += _head(styles, guide["name"], [guide["department"], guide["audience"]], qr_url)
    out.append(styles.fields([("实施主体", guide["department"]), ("服务对象", guide["audience"]), ("办理时限", guide["time_limit"]),
                              ("收费标准", guide["fees"]), ("办理地点", guide["place"]), ("办理时间", guide.get("hours", "")),
                              ("咨询电话", guide["phone"]), ("网上办理", guide.get("online_url", ""))], content_width()))
    out.append(styles.para("受理条件", styles.heading))
    out += [styles.para(f"{number}. {text}", styles.plain) for number, text in enumerate(guide["conditions"], 1)]
    out.append(styles.para("申请材料（请逐项备齐）", styles.heading))
    for item in guide["materials"]:
        detail = "　".join(piece for piece in (item.get("form", ""), item.get("note", "")) if piece)
        out.append(styles.para(f"□ {item['name']}" + (f"（{detail}）" if detail else ""), styles.plain))
    out.append(styles.para("办理流程", styles.heading))
    out += [styles.para(f"第{number}步　{text}", styles.plain) for number, text in enumerate(guide["steps"], 1)]
    if guide.get("basis"):
        out += [styles.para("设定依据", styles.heading), styles.para(guide["basis"], styles.plain)]
    return story


def notice_story(styles: Styles, notice: Record, qr_url: str | None) -> Story:
    story = Story(notice["title"])
    meta = [notice["issuer"], "发布时间：" + notice["publish_at"][:16].replace("T", " "), "截止：" + notice["expire_at"][:10]]
    story.flowables += _head(styles, notice["title"], meta, qr_url)
    if notice["priority"] == "urgent":
        story.flowables.append(Stamp(styles, "紧急"))
    story.flowables += styles.paras(notice["body"])
    return story


def policy_story(styles: Styles, policy: Record, qr_url: str | None) -> Story:
    story = Story(policy["name"])
    story.flowables += _head(styles, policy["name"], [policy["department"], f"{policy['year']}年度"], qr_url)
    story.flowables.append(styles.fields([
        ("补贴政策名称", policy["name"]), ("政策依据", policy["basis"]), ("主管部门", policy["department"]),
        ("资金用途", policy["purpose"]), ("补贴对象", policy["target"]), ("补助标准", policy["standard"]),
        ("政策咨询电话", policy["phone"]),
    ], content_width()))
    return story


def catalogue_story(styles: Styles, item: Record, domain_name: str, qr_url: str | None) -> Story:
    story = Story(item["name"])
    story.flowables += _head(styles, item["name"], [domain_name, item.get("sub_domain", "")], qr_url)
    story.flowables.append(styles.fields([
        ("公开事项", item["name"]), ("公开内容（要素）", item["content"]), ("公开依据", item["basis"]),
        ("公开时限", item["deadline"]), ("公开主体", item["subject"]), ("公开渠道和载体", "、".join(item["channels"])),
        ("公开对象", item["audience"]), ("公开方式", item["mode"]), ("公开层级", "、".join(item["level"])),
        ("公开频率", item.get("frequency", "")), ("公开场所", item.get("place", "")),
    ], content_width(), label_share=0.22))
    return story
