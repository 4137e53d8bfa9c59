"""What each kind of record looks like on A4: the flowables of its pages, top to bottom.

Pure functions of a record (plus the QR address and a few names), so every layout can be
tested by reading back the PDF's text and compared with the record it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from kiosk.browse import PaymentTotals, ledger_summary
from kiosk.i18n import N_, format_day, format_moment, joined, money_words, ntr, tr, yuan_amount
from kiosk.labels import labelled, ledger_lines, payment_totals_words, period_label, value_label
from printing.layout import Stamp, Styles, qr_block
from printing.pdf import content_width

Record = dict[str, Any]
QR_SIZE = 32 * mm
QR_CAPTION = N_("扫码看网上原文")
BOARD_NAMES = {"finance": N_("财务公开"), "village": N_("村务公开"), "party": N_("党务公开")}


@dataclass
class Story:
    """The flowables of one printout and whether it needs landscape pages."""

    title: str
    flowables: list[Flowable] = field(default_factory=list)
    wide: bool = False


def yuan(fen: int) -> str:
    """1,296.00 — the column header already says 元."""
    return yuan_amount(fen)


def _fields(pairs: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """(label id, value) → (label in ``lang``, value) for a field table."""
    return [(tr(label, lang), value) for label, value in pairs]


def _head(styles: Styles, title: str, meta: Sequence[str], qr_url: str | None, lang: str, wide: bool = False) -> list[Flowable]:
    """Title and meta line, with the QR code to the right when there is one."""
    text = [styles.para(title, styles.title), styles.para(joined(meta, lang), styles.meta)]
    if not qr_url:
        return [*text, Spacer(1, 4 * mm)]
    width = content_width(wide)
    qr_width = QR_SIZE + 8 * mm
    table = styles.table([[text, qr_block(styles, qr_url, QR_SIZE, tr(QR_CAPTION, lang))]], [width - qr_width, qr_width],
                         [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return [table, Spacer(1, 4 * mm)]


def document_story(styles: Styles, doc: Record, qr_url: str | None, *, with_interpretation: bool = False, lang: str = "zh_CN") -> Story:
    story = Story(doc["title"])
    out = story.flowables
    out += _head(styles, doc["title"], [doc.get("doc_number", ""), doc["issuer"]], qr_url, lang)
    if doc["validity"] != "现行有效":
        out.append(Stamp(styles, value_label(doc["validity"], lang)))
        if doc.get("validity_note"):
            out.append(styles.para(doc["validity_note"], styles.mark))
        out.append(Spacer(1, 3 * mm))
    doc_type = tr("{type}（{level}）", lang, type=value_label(doc["doc_type"], lang), level=value_label(doc["level"], lang))
    out.append(styles.fields(_fields([
        (N_("发文字号"), doc.get("doc_number", "")), (N_("发文机关"), doc["issuer"]), (N_("文件类型"), doc_type),
        (N_("成文日期"), format_day(doc.get("written_date", ""), lang)), (N_("发布日期"), format_day(doc["published_date"], lang)),
        (N_("施行日期"), format_day(doc.get("effective_date", ""), lang)),
        (N_("有效性"), value_label(doc["validity"], lang)), (N_("主题分类"), doc.get("topic", "")),
    ], lang), content_width()))
    out.append(Spacer(1, 5 * mm))
    out += styles.paras(doc["body"])
    attachments = doc.get("attachments", [])
    if attachments:
        out.append(styles.para(tr("附件", lang), styles.heading))
        out += [styles.para(f"{number}. {item.get('name') or item.get('title') or ''}", styles.plain)
                for number, item in enumerate(attachments, 1)]
    interpretation = doc.get("interpretation")
    if with_interpretation and interpretation:
        out += interpretation_flowables(styles, interpretation, lang)
    return story


def interpretation_flowables(styles: Styles, interpretation: Record, lang: str = "zh_CN") -> list[Flowable]:
    heading = tr("政策解读：{title}", lang, title=interpretation.get("title", ""))
    out: list[Flowable] = [Spacer(1, 6 * mm), styles.para(heading, styles.heading)]
    if interpretation.get("published_date"):
        out.append(styles.para(labelled("解读发布日期", format_day(interpretation["published_date"], lang), lang), styles.small))
    out += styles.paras(interpretation["text"])
    for pair in interpretation.get("qa", []):
        out.append(KeepTogether([styles.para(tr("问：{question}", lang, question=pair["q"]), styles.plain),
                                 styles.para(tr("答：{answer}", lang, answer=pair["a"]), styles.body)]))
    who = tr("解读人：{name}　联系电话：{phone}", lang, name=interpretation["interpreter"], phone=interpretation["interpreter_phone"])
    out.append(styles.para(who, styles.plain))
    return out


def board_story(styles: Styles, board: Record, village_name: str, qr_url: str | None, lang: str = "zh_CN") -> Story:
    finance = board["board_type"] == "finance"
    story = Story(board["title"], wide=finance)
    meta = [village_name, tr(BOARD_NAMES[board["board_type"]], lang), period_label(board["period"], lang),
            labelled("公开日期", format_day(board["published_date"], lang), lang)]
    story.flowables += _head(styles, board["title"], meta, qr_url, lang, wide=finance)
    if finance:
        story.flowables += ledger_flowables(styles, board, lang)
    for section in board.get("sections", []):
        story.flowables.append(styles.para(section["heading"], styles.heading))
        story.flowables += styles.paras(section["body"])
    signature = joined((
        labelled("村务监督委员会审核人", board["supervisor"], lang) if board.get("supervisor") else "",
        labelled("监督电话", board["contact_phone"], lang) if board.get("contact_phone") else "",
    ), lang)
    if signature:
        story.flowables += [Spacer(1, 4 * mm), styles.para(signature, styles.plain)]
    return story


def ledger_flowables(styles: Styles, board: Record, lang: str = "zh_CN") -> list[Flowable]:
    """Four totals, then every ledger line with a running balance; the header repeats on each page."""
    summary = ledger_summary(board)
    width = content_width(wide=True)
    totals = styles.grid([tr(h, lang) for h in (N_("期初余额（元）"), N_("本期收入（元）"), N_("本期支出（元）"), N_("期末余额（元）"))],
                         [[yuan(summary.opening_fen), yuan(summary.income_fen), yuan(summary.expense_fen), yuan(summary.closing_fen)]],
                         [width / 4] * 4, numeric={0, 1, 2, 3})
    shares = [0.1, 0.16, 0.34, 0.1, 0.1, 0.1, 0.1]
    rows = [[line.date, line.category, line.summary, line.voucher, yuan(line.income_fen) if line.income_fen else "",
             yuan(line.expense_fen) if line.expense_fen else "", yuan(line.balance_fen)] for line in ledger_lines(board)]
    rows.append(["", tr("本期合计", lang), "", "", yuan(summary.income_fen), yuan(summary.expense_fen), ""])
    rows.append(["", tr("期末余额", lang), "", "", "", "", yuan(summary.closing_fen)])
    header = [tr(h, lang) for h in (N_("日期"), N_("收支类别"), N_("摘要"), N_("凭证号"), N_("收入（元）"), N_("支出（元）"), N_("余额（元）"))]
    ledger = styles.grid(header, rows, [width * share for share in shares], numeric={4, 5, 6}, total_rows=2)
    room = styles.sizes.heading * 3 + styles.sizes.table * 1.45 * 2 * 4  # the heading, the header row and three lines
    return [totals, Spacer(1, 5 * mm), CondPageBreak(room), styles.para(tr("收支明细", lang), styles.table_heading), ledger]


def payments_story(styles: Styles, title: str, rows: list[Record], total: int, totals: PaymentTotals, qr_url: str | None,
                   lang: str = "zh_CN") -> Story:
    """A village's payment list with masked names, the count and the sums per 发放状态 (已发放 and 待发放 apart, never
    one 合计), on landscape pages."""
    story = Story(title, wide=True)
    summary = joined([ntr("共 {n} 笔", "共 {n} 笔", total, lang), *payment_totals_words(totals, lambda fen: money_words(fen, lang), lang)],
                     lang)
    story.flowables += _head(styles, title, [summary, tr("姓名已按规定隐去部分字", lang)], qr_url, lang, wide=True)
    width = content_width(wide=True)
    shares = [0.06, 0.1, 0.2, 0.1, 0.1, 0.12, 0.11, 0.08, 0.13]
    table_rows = [[str(number), row["recipient"], row["policy_name"], row.get("quantity", ""), yuan(row["amount_fen"]),
                   period_label(row["period"], lang), format_day(row.get("paid_date", ""), lang), value_label(row["status"], lang),
                   row.get("note", "")]
                  for number, row in enumerate(rows, 1)]
    sums = [(tr("已发放合计", lang), *totals.paid), (tr("待发放合计", lang), *totals.pending)]
    if totals.returned[0]:
        sums.append((tr("退回合计", lang), *totals.returned))
    table_rows += [["", label, "", ntr("{n} 笔", "{n} 笔", n, lang), yuan(fen), "", "", "", ""] for label, n, fen in sums]
    header = [tr(h, lang) for h in (N_("序号"), N_("姓名"), N_("补贴项目"), N_("数量"), N_("金额（元）"), N_("期间"), N_("发放日期"), N_("状态"),
                                    N_("备注"))]
    story.flowables.append(styles.grid(header, table_rows, [width * share for share in shares], numeric={0, 4}, total_rows=len(sums)))
    return story


def guide_story(styles: Styles, guide: Record, qr_url: str | None, lang: str = "zh_CN") -> Story:
    story = Story(guide["name"])
    out = story.flowables
    audience = value_label(guide["audience"], lang)
    out += _head(styles, guide["name"], [guide["department"], audience], qr_url, lang)
    out.append(styles.fields(_fields([
        (N_("实施主体"), guide["department"]), (N_("服务对象"), audience), (N_("办理时限"), guide["time_limit"]),
        (N_("收费标准"), guide["fees"]), (N_("办理地点"), guide["place"]), (N_("办理时间"), guide.get("hours", "")),
        (N_("咨询电话"), guide["phone"]), (N_("网上办理"), guide.get("online_url", "")),
    ], lang), content_width()))
    out.append(styles.para(tr("受理条件", lang), styles.heading))
    out += [styles.para(f"{number}. {text}", styles.plain) for number, text in enumerate(guide["conditions"], 1)]
    out.append(styles.para(tr("申请材料（请逐项备齐）", lang), styles.heading))
    for item in guide["materials"]:
        detail = "　".join(piece for piece in (item.get("form", ""), item.get("note", "")) if piece)
        out.append(styles.para(f"□ {item['name']}" + (f"（{detail}）" if detail else ""), styles.plain))
    out.append(styles.para(tr("办理流程", lang), styles.heading))
    out += [styles.para(tr("第{number}步　{step}", lang, number=number, step=text), styles.plain)
            for number, text in enumerate(guide["steps"], 1)]
    if guide.get("basis"):
        out += [styles.para(tr("设定依据", lang), styles.heading), styles.para(guide["basis"], styles.plain)]
    return story


def notice_story(styles: Styles, notice: Record, qr_url: str | None, lang: str = "zh_CN") -> Story:
    story = Story(notice["title"])
    meta = [notice["issuer"], labelled("发布时间", format_moment(notice["publish_at"], lang), lang),
            labelled("截止", format_day(notice["expire_at"], lang), lang)]
    story.flowables += _head(styles, notice["title"], meta, qr_url, lang)
    if notice["priority"] == "urgent":
        story.flowables.append(Stamp(styles, tr("紧急", lang)))
    story.flowables += styles.paras(notice["body"])
    return story


def policy_story(styles: Styles, policy: Record, qr_url: str | None, lang: str = "zh_CN") -> Story:
    story = Story(policy["name"])
    story.flowables += _head(styles, policy["name"], [policy["department"], tr("{year}年度", lang, year=policy["year"])], qr_url, lang)
    story.flowables.append(styles.fields(_fields([
        (N_("补贴政策名称"), policy["name"]), (N_("政策依据"), policy["basis"]), (N_("主管部门"), policy["department"]),
        (N_("资金用途"), policy["purpose"]), (N_("补贴对象"), policy["target"]), (N_("补助标准"), policy["standard"]),
        (N_("政策咨询电话"), policy["phone"]),
    ], lang), content_width()))
    return story


def catalogue_story(styles: Styles, item: Record, domain_name: str, qr_url: str | None, lang: str = "zh_CN") -> Story:
    story = Story(item["name"])
    story.flowables += _head(styles, item["name"], [domain_name, item.get("sub_domain", "")], qr_url, lang)
    joiner = tr("、", lang)
    story.flowables.append(styles.fields(_fields([
        (N_("公开事项"), item["name"]), (N_("公开内容（要素）"), item["content"]), (N_("公开依据"), item["basis"]),
        (N_("公开时限"), item["deadline"]), (N_("公开主体"), item["subject"]), (N_("公开渠道和载体"), joiner.join(item["channels"])),
        (N_("公开对象"), value_label(item["audience"], lang)), (N_("公开方式"), value_label(item["mode"], lang)),
        (N_("公开层级"), joiner.join(value_label(level, lang) for level in item["level"])),
        (N_("公开频率"), value_label(item.get("frequency", ""), lang)), (N_("公开场所"), item.get("place", "")),
    ], lang), content_width(), label_share=0.22))
    return story
