"""Public item pages (`/r/<id>`, the target of every QR code) read straight from the published feed.

The portal has no content database of its own: the feed is the source of truth, so the page for an
id is whatever the current snapshot bundles say. The index is rebuilt when a new targets metadata
version appears (the metadata folder's mtime is checked on each lookup, a single stat).
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from kiosk.home import kind_section_name
from kiosk.i18n import LANGUAGES, N_, format_day, format_moment, ptr, tr
from kiosk.labels import ledger_lines, period_label, value_label
from kiosk.money import format_fen
from kiosk.privacy import mask_payment
from kiosk.records.schema import KIND_LABELS_ZH

log = logging.getLogger(__name__)

TARGETS_META_RE = re.compile(r"^([0-9]+)\.targets\.json$")
ROOT_META_RE = re.compile(r"^([0-9]+)\.root\.json$")
HIDDEN_KINDS = frozenset({"terminal_profile", "synonym"})  # settings and search hints for terminals, not public items
MAX_BUNDLE_BYTES = 2 * 1024**3  # upper bound when a catalog gives no uncompressed size


def latest_metadata(metadata_dir: Path, pattern: re.Pattern[str]) -> tuple[int, Path] | None:
    """The highest-numbered `<N>.<role>.json`, or None when the feed has none yet."""
    best: tuple[int, Path] | None = None
    try:
        entries = list(metadata_dir.iterdir())
    except OSError:
        return None
    for entry in entries:
        match = pattern.match(entry.name)
        if match and (best is None or int(match.group(1)) > best[0]):
            best = (int(match.group(1)), entry)
    return best


def latest_root_file(feed_dir: Path) -> tuple[Path, bytes] | None:
    """The feed's current root metadata file and its exact bytes, or None when the feed has no root yet.

    A terminal anchors these bytes as they are (the enrolment answer's ``root_b64``), so the
    fingerprint `kiosk-portal enroll-code` prints for them is the one the terminal checks.
    """
    found = latest_metadata(feed_dir / "metadata", ROOT_META_RE)
    return (found[1], found[1].read_bytes()) if found else None


def latest_root(feed_dir: Path) -> Any:
    """The feed's current root metadata as JSON (handed to a terminal at enrolment), or None."""
    found = latest_root_file(feed_dir)
    return json.loads(found[1]) if found else None


def target_path(feed_dir: Path, name: str, info: dict[str, Any]) -> Path:
    """Where a TUF target lives on disk: `targets/<dir>/<sha256>.<basename>` (consistent snapshots)."""
    directory, _, basename = name.rpartition("/")
    sha = info.get("hashes", {}).get("sha256", "")
    base = feed_dir / "targets" / directory if directory else feed_dir / "targets"
    hashed = base / f"{sha}.{basename}"
    return hashed if sha and hashed.exists() else base / basename


class FeedIndex:
    """Record id → its JSON line from the current snapshot bundles, reloaded when the feed moves on."""

    def __init__(self, feed_dir: Path) -> None:
        self.feed_dir = feed_dir
        self._lock = threading.Lock()
        self._mtime: int | None = None
        self.version: int | None = None
        self._records: dict[str, bytes] = {}

    def lookup(self, record_id: str) -> dict[str, Any] | None:
        self._refresh()
        line = self._records.get(record_id)
        return json.loads(line) if line is not None else None

    def __len__(self) -> int:
        self._refresh()
        return len(self._records)

    def _refresh(self) -> None:
        metadata = self.feed_dir / "metadata"
        try:
            mtime = metadata.stat().st_mtime_ns
        except OSError:
            mtime = None
        if mtime == self._mtime and mtime is not None:
            return
        with self._lock:
            if mtime == self._mtime and mtime is not None:
                return
            found = latest_metadata(metadata, TARGETS_META_RE)
            if found is None:
                self._records, self.version, self._mtime = {}, None, mtime
                return
            version, path = found
            if version != self.version:
                try:
                    self._records = self._load(path)
                except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
                    # A half-written publish: keep serving the previous index and look again next time.
                    log.warning("feed index not reloaded from %s: %s", path, exc)
                    return
                self.version = version
                log.info("feed index: %d records from targets version %d", len(self._records), version)
            self._mtime = mtime

    def _load(self, targets_path: Path) -> dict[str, bytes]:
        targets: dict[str, dict[str, Any]] = json.loads(targets_path.read_bytes())["signed"]["targets"]
        records: dict[str, tuple[int, bytes]] = {}
        for name, info in sorted(targets.items()):
            if name.rpartition("/")[2] != "catalog.json":
                continue
            catalog = json.loads(target_path(self.feed_dir, name, info).read_bytes())
            snapshot = catalog.get("snapshot") or {}
            bundle_name = snapshot.get("target")
            if not bundle_name or bundle_name not in targets:
                continue
            limit = int(snapshot.get("uncompressed") or MAX_BUNDLE_BYTES)
            for line in read_bundle(target_path(self.feed_dir, bundle_name, targets[bundle_name]), limit):
                record = json.loads(line)
                version = int(record.get("version", 0))
                known = records.get(record["id"])
                if known is None or known[0] < version:
                    records[record["id"]] = (version, line)
        return {record_id: line for record_id, (_, line) in records.items()}


def read_bundle(path: Path, limit: int) -> list[bytes]:
    """The record lines of a bundle (header skipped), refusing more than `limit` decompressed bytes."""
    lines: list[bytes] = []
    total = 0
    with gzip.open(path, "rb") as stream:
        header = json.loads(stream.readline(limit + 1))
        if not str(header.get("format", "")).startswith("kiosk-bundle/"):
            raise ValueError(f"{path.name}: not a kiosk bundle")
        for line in stream:
            total += len(line)
            if total > limit:
                raise ValueError(f"{path.name}: more than {limit} bytes uncompressed")
            if line.strip():
                lines.append(line.rstrip(b"\n"))
    return lines


# ---------------------------------------------------------------- rendering


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class ItemView:
    title: str
    kind_label: str
    badges: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # name, url, size
    updated_at: str = ""


def paragraphs(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


#: Fields whose values are words of a fixed vocabulary (validity, audiences, levels …): shown through the catalogue.
WORD_FIELDS = frozenset({"validity", "doc_type", "level", "audience", "mode", "frequency", "status", "form"})
DATE_FIELDS = frozenset({"written_date", "published_date", "effective_date", "paid_date"})
MOMENT_FIELDS = frozenset({"publish_at", "expire_at"})


def _fields(record: dict[str, Any], spec: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """(key, label id) → (label, value) in ``lang``, skipping empty values; the record's own text stays as published."""
    out = []
    for key, label in spec:
        value = record.get(key)
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        if key in WORD_FIELDS:
            shown = [value_label(str(v), lang) for v in values]
        elif key in DATE_FIELDS:
            shown = [format_day(str(v), lang) for v in values]
        elif key in MOMENT_FIELDS:
            shown = [format_moment(str(v), lang) for v in values]
        else:
            shown = [str(v) for v in values]
        out.append((tr(label, lang), tr("、", lang).join(shown)))
    return out


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return ""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def describe(record: dict[str, Any], lang: str = "zh_CN") -> ItemView:
    """The page's content for one record: which fields to show, in what order, with what labels (in ``lang``)."""
    kind = record.get("kind", "")
    title = str(record.get("title") or record.get("name") or record.get("policy_name") or record.get("id"))
    # the section the kiosk shows it in (the one table of section names), so a phone and the kiosk name it alike
    kind_label = kind_section_name(kind, lang) or (ptr("record kind", KIND_LABELS_ZH[kind], lang) if kind in KIND_LABELS_ZH else kind)
    view = ItemView(title=title, kind_label=kind_label, updated_at=format_moment(str(record.get("updated_at", "")), lang))
    if kind == "document":
        view.badges = [value_label(record["validity"], lang)] if record.get("validity") else []
        view.fields = _fields(record, [("doc_number", N_("发文字号")), ("issuer", N_("发文机关")), ("doc_type", N_("文件类型")),
                                       ("level", N_("文件层级")), ("topic", N_("主题分类")), ("written_date", N_("成文日期")),
                                       ("published_date", N_("发布日期")), ("effective_date", N_("施行日期")), ("validity", N_("有效性")),
                                       ("validity_note", N_("有效性说明"))], lang)
        view.sections.append(Section(ptr("reading tab", "正文", lang), paragraphs=paragraphs(record.get("body"))))
        interpretation = record.get("interpretation")
        if isinstance(interpretation, dict):
            section = Section(str(interpretation.get("title") or tr("政策解读", lang)), paragraphs=paragraphs(interpretation.get("text")))
            for qa in interpretation.get("qa") or []:
                if isinstance(qa, dict):
                    section.paragraphs += [tr("问：{question}", lang, question=qa.get("q", "")), tr("答：{answer}", lang, answer=qa.get("a", ""))]
            if interpretation.get("interpreter"):
                section.paragraphs.append(tr("解读人：{name}　联系电话：{phone}", lang, name=interpretation["interpreter"],
                                             phone=interpretation.get("interpreter_phone", "")))
            view.sections.append(section)
        for item in record.get("attachments") or []:
            sha = str(item.get("sha256", ""))
            view.attachments.append((str(item.get("name") or tr("附件", lang)), f"/feed/blobs/sha256/{sha[:2]}/{sha}", _size(item.get("size"))))
    elif kind == "notice":
        view.badges = [tr("紧急", lang)] if record.get("priority") == "urgent" else []
        view.fields = _fields(record, [("issuer", N_("发布单位")), ("publish_at", N_("发布时间")), ("expire_at", N_("截止时间"))], lang)
        view.sections.append(Section(ptr("reading tab", "正文", lang), paragraphs=paragraphs(record.get("body"))))
    elif kind == "service_guide":
        view.fields = _fields(record, [("department", N_("实施主体")), ("audience", N_("服务对象")), ("topic", N_("主题分类")),
                                       ("time_limit", N_("办理时限")), ("fees", N_("收费标准")), ("place", N_("办理地点")),
                                       ("hours", N_("办理时间")), ("phone", N_("咨询电话")), ("online_url", N_("网上办理")),
                                       ("basis", N_("设定依据"))], lang)
        view.sections.append(Section(tr("受理条件", lang), items=[str(c) for c in record.get("conditions") or []]))
        materials = []
        for item in record.get("materials") or []:
            extra = "，".join(str(item[k]) for k in ("form", "note") if item.get(k))
            materials.append(f"{item.get('name', '')}（{extra}）" if extra else str(item.get("name", "")))
        view.sections.append(Section(tr("申请材料", lang), items=materials, ordered=True))
        view.sections.append(Section(tr("办理流程", lang), items=[str(s) for s in record.get("steps") or []], ordered=True))
    elif kind == "subsidy_policy":
        view.fields = _fields(record, [("year", N_("政策年度")), ("department", N_("主管部门")), ("target", N_("补贴对象")),
                                       ("standard", N_("补助标准")), ("purpose", N_("资金用途")), ("basis", N_("政策依据")),
                                       ("phone", N_("咨询电话"))], lang)
    elif kind == "subsidy_payment":
        masked = mask_payment(record)
        view.title = str(masked.get("policy_name") or title)
        view.fields = _fields(masked, [("recipient", N_("领取人")), ("household_size", N_("家庭人口")), ("quantity", N_("补贴依据数量"))], lang)
        if isinstance(record.get("amount_fen"), int) and not isinstance(record.get("amount_fen"), bool):
            view.fields.append((tr("发放金额", lang), format_fen(record["amount_fen"])))
        if record.get("period"):
            view.fields.append((tr("发放期间", lang), period_label(str(record["period"]), lang)))
        view.fields += _fields(masked, [("paid_date", N_("发放日期")), ("status", N_("发放状态")), ("note", N_("备注"))], lang)
    elif kind == "board":
        view.fields = [(tr("公开期间", lang), period_label(str(record["period"]), lang))] if record.get("period") else []
        view.fields += _fields(record, [("published_date", N_("公开日期")), ("frequency", N_("公开频率")), ("supervisor", N_("监督审核人")),
                                        ("contact_phone", N_("监督电话"))], lang)
        for section in record.get("sections") or []:
            view.sections.append(Section(str(section.get("heading", "")), paragraphs=paragraphs(section.get("body"))))
        if record.get("lines"):
            rows = [[line.date, line.category, line.summary, format_fen(line.income_fen) if line.income_fen else "",
                     format_fen(line.expense_fen) if line.expense_fen else "", format_fen(line.balance_fen)] for line in ledger_lines(record)]
            columns = [tr(c, lang) for c in (N_("日期"), N_("类别"), N_("摘要"), N_("收入"), N_("支出"), N_("余额"))]
            view.sections.append(Section(tr("收支明细", lang), columns=columns, rows=rows))
            for key, label in (("opening_balance_fen", N_("期初余额")), ("closing_balance_fen", N_("期末余额"))):
                if isinstance(record.get(key), int):
                    view.fields.append((tr(label, lang), format_fen(record[key])))
    elif kind == "catalogue_item":
        view.fields = _fields(record, [("sub_domain", N_("公开类别")), ("content", N_("公开内容")), ("basis", N_("公开依据")),
                                       ("deadline", N_("公开时限")), ("subject", N_("公开主体")), ("channels", N_("公开渠道")),
                                       ("audience", N_("公开对象")), ("mode", N_("公开方式")), ("level", N_("公开层级")),
                                       ("frequency", N_("公开频率")), ("place", N_("公开场所"))], lang)
    else:
        view.fields = _fields(record, [("full_name", N_("全称")), ("description", N_("说明"))], lang)
    return view


TEMPLATES = Path(__file__).with_name("templates")
#: The ``lang`` attribute of the page, so a phone's screen reader and fonts pick the right script.
HTML_LANG = {"zh_CN": "zh-CN", "zh_Hant": "zh-Hant", "en": "en"}
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _render(lang: str, **values: Any) -> str:
    """The item page in ``lang``: ``_`` in the template is the catalogue (extracted by tools/i18n.py like tr())."""
    def gettext(message: str, **params: Any) -> str:
        return tr(message, lang, **params)

    here = HTML_LANG[lang]
    switch = [(code, name, code == lang, HTML_LANG[code]) for code, name in LANGUAGES.items()]
    return _env.get_template("item.html").render(_=gettext, html_lang=here, languages=switch, **values)


def render_item(record: dict[str, Any], lang: str = "zh_CN") -> str:
    view = describe(record, lang)
    return _render(lang, view=view, title=f"{view.title} - {view.kind_label}", record_id=record.get("id", ""))


def render_missing(record_id: str, *, withdrawn: bool = False, lang: str = "zh_CN") -> str:
    heading = tr("该信息已撤回", lang) if withdrawn else tr("未找到该信息", lang)
    message = (tr("发布机关已撤回这条信息。", lang) if withdrawn
               else tr("这条信息不存在，或尚未发布。请核对二维码，或到政务服务大厅查询。", lang))
    return _render(lang, view=None, title=heading, heading=heading, message=message, record_id=record_id)


def item_response(index: FeedIndex, record_id: str, lang: str = "zh_CN") -> tuple[str, int]:
    """(html, status) for `/r/<id>` in ``lang``: 200, 410 for a withdrawn record, 404 for an unknown one."""
    record = index.lookup(record_id)
    if record is None or record.get("kind") in HIDDEN_KINDS:
        return render_missing(record_id, lang=lang), 404
    if record.get("deleted"):
        return render_missing(record_id, withdrawn=True, lang=lang), 410
    return render_item(record, lang), 200
