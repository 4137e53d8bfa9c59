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

from jinja2 import Environment

from kiosk.home import kind_section_name
from kiosk.labels import ledger_lines, period_label
from kiosk.money import format_fen
from kiosk.privacy import mask_payment
from kiosk.records.schema import KIND_LABELS_ZH

log = logging.getLogger(__name__)

TARGETS_META_RE = re.compile(r"^(\d+)\.targets\.json$")
ROOT_META_RE = re.compile(r"^(\d+)\.root\.json$")
HIDDEN_KINDS = frozenset({"terminal_profile"})  # settings pushed to terminals, not a public item
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


def latest_root(feed_dir: Path) -> Any:
    """The feed's current root metadata as JSON (handed to a terminal at enrolment), or None."""
    found = latest_metadata(feed_dir / "metadata", ROOT_META_RE)
    return json.loads(found[1].read_bytes()) if found else None


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


def _fields(record: dict[str, Any], spec: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for key, label in spec:
        value = record.get(key)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        out.append((label, str(value)))
    return out


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return ""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def describe(record: dict[str, Any]) -> ItemView:
    """The page's content for one record: which fields to show, in what order, with what labels."""
    kind = record.get("kind", "")
    title = str(record.get("title") or record.get("name") or record.get("policy_name") or record.get("id"))
    # the section the kiosk shows it in (the one table of section names), so a phone and the kiosk name it alike
    kind_label = kind_section_name(kind) or KIND_LABELS_ZH.get(kind, kind)
    view = ItemView(title=title, kind_label=kind_label, updated_at=str(record.get("updated_at", "")))
    if kind == "document":
        view.badges = [record["validity"]] if record.get("validity") else []
        view.fields = _fields(record, [("doc_number", "发文字号"), ("issuer", "发文机关"), ("doc_type", "文件类型"), ("level", "文件层级"),
                                       ("topic", "主题分类"), ("written_date", "成文日期"), ("published_date", "发布日期"),
                                       ("effective_date", "施行日期"), ("validity", "有效性"), ("validity_note", "有效性说明")])
        view.sections.append(Section("正文", paragraphs=paragraphs(record.get("body"))))
        interpretation = record.get("interpretation")
        if isinstance(interpretation, dict):
            section = Section(str(interpretation.get("title") or "政策解读"), paragraphs=paragraphs(interpretation.get("text")))
            for qa in interpretation.get("qa") or []:
                if isinstance(qa, dict):
                    section.paragraphs += [f"问：{qa.get('q', '')}", f"答：{qa.get('a', '')}"]
            if interpretation.get("interpreter"):
                section.paragraphs.append(f"解读人：{interpretation['interpreter']}　电话：{interpretation.get('interpreter_phone', '')}")
            view.sections.append(section)
        for item in record.get("attachments") or []:
            sha = str(item.get("sha256", ""))
            view.attachments.append((str(item.get("name", "附件")), f"/feed/blobs/sha256/{sha[:2]}/{sha}", _size(item.get("size"))))
    elif kind == "notice":
        view.badges = ["紧急"] if record.get("priority") == "urgent" else []
        view.fields = _fields(record, [("issuer", "发布单位"), ("publish_at", "发布时间"), ("expire_at", "截止时间")])
        view.sections.append(Section("正文", paragraphs=paragraphs(record.get("body"))))
    elif kind == "service_guide":
        view.fields = _fields(record, [("department", "实施主体"), ("audience", "服务对象"), ("topic", "主题分类"), ("time_limit", "办理时限"),
                                       ("fees", "收费标准"), ("place", "办理地点"), ("hours", "办理时间"), ("phone", "咨询电话"),
                                       ("online_url", "网上办理"), ("basis", "设定依据")])
        view.sections.append(Section("受理条件", items=[str(c) for c in record.get("conditions") or []]))
        materials = []
        for item in record.get("materials") or []:
            extra = "，".join(str(item[k]) for k in ("form", "note") if item.get(k))
            materials.append(f"{item.get('name', '')}（{extra}）" if extra else str(item.get("name", "")))
        view.sections.append(Section("申请材料", items=materials, ordered=True))
        view.sections.append(Section("办理流程", items=[str(s) for s in record.get("steps") or []], ordered=True))
    elif kind == "subsidy_policy":
        view.fields = _fields(record, [("year", "政策年度"), ("department", "主管部门"), ("target", "补贴对象"), ("standard", "补助标准"),
                                       ("purpose", "资金用途"), ("basis", "政策依据"), ("phone", "咨询电话")])
    elif kind == "subsidy_payment":
        masked = mask_payment(record)
        view.title = str(masked.get("policy_name") or title)
        view.fields = _fields(masked, [("recipient", "领取人"), ("household_size", "家庭人口"), ("quantity", "补贴依据数量")])
        if isinstance(record.get("amount_fen"), int) and not isinstance(record.get("amount_fen"), bool):
            view.fields.append(("发放金额", format_fen(record["amount_fen"])))
        if record.get("period"):
            view.fields.append(("发放期间", period_label(str(record["period"]))))
        view.fields += _fields(masked, [("paid_date", "发放日期"), ("status", "发放状态"), ("note", "备注")])
    elif kind == "board":
        view.fields = [("公开期间", period_label(str(record["period"])))] if record.get("period") else []
        view.fields += _fields(record, [("published_date", "公开日期"), ("frequency", "公开频率"), ("supervisor", "监督审核人"),
                                        ("contact_phone", "监督电话")])
        for section in record.get("sections") or []:
            view.sections.append(Section(str(section.get("heading", "")), paragraphs=paragraphs(section.get("body"))))
        if record.get("lines"):
            rows = [[line.date, line.category, line.summary, format_fen(line.income_fen) if line.income_fen else "",
                     format_fen(line.expense_fen) if line.expense_fen else "", format_fen(line.balance_fen)] for line in ledger_lines(record)]
            view.sections.append(Section("收支明细", columns=["日期", "类别", "摘要", "收入", "支出", "余额"], rows=rows))
            for key, label in (("opening_balance_fen", "期初余额"), ("closing_balance_fen", "期末余额")):
                if isinstance(record.get(key), int):
                    view.fields.append((label, format_fen(record[key])))
    elif kind == "catalogue_item":
        view.fields = _fields(record, [("sub_domain", "公开类别"), ("content", "公开内容"), ("basis", "公开依据"), ("deadline", "公开时限"),
                                       ("subject", "公开主体"), ("channels", "公开渠道"), ("audience", "公开对象"), ("mode", "公开方式"),
                                       ("level", "公开层级"), ("frequency", "公开频率"), ("place", "公开场所")])
    else:
        view.fields = _fields(record, [("full_name", "全称"), ("description", "说明")])
    return view


_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { margin: 0; font: 18px/1.7 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
       color: #1a1a1a; background: #f5f6f8; }
main { max-width: 760px; margin: 0 auto; padding: 16px; background: #fff; min-height: 100vh; box-sizing: border-box; }
h1 { font-size: 1.4em; line-height: 1.4; margin: .3em 0 .6em; }
h2 { font-size: 1.15em; margin: 1.4em 0 .4em; border-left: 4px solid #b71c1c; padding-left: 8px; }
.kind { color: #555; font-size: .9em; }
.badge { display: inline-block; background: #b71c1c; color: #fff; border-radius: 4px; padding: 0 8px; font-size: .85em; margin-left: 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
dt { color: #555; } dd { margin: 0; word-break: break-all; }
p { text-indent: 2em; margin: .4em 0; }
.table { overflow-x: auto; } table { border-collapse: collapse; font-size: .9em; min-width: 100%; }
td, th { border: 1px solid #ccc; padding: 4px 6px; white-space: nowrap; } td.num { text-align: right; }
a { color: #0d47a1; }
footer { margin-top: 2em; color: #666; font-size: .85em; border-top: 1px solid #ddd; padding-top: .6em; }
</style>
</head>
<body><main>
{% if view %}
<div class="kind">{{ view.kind_label }}{% for badge in view.badges %}<span class="badge">{{ badge }}</span>{% endfor %}</div>
<h1>{{ view.title }}</h1>
{% if view.fields %}<dl>{% for label, value in view.fields %}<dt>{{ label }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>{% endif %}
{% for section in view.sections %}{% if section.paragraphs or section.items or section.rows %}
<h2>{{ section.heading }}</h2>
{% for text in section.paragraphs %}<p>{{ text }}</p>{% endfor %}
{% if section.items %}{% set tag = 'ol' if section.ordered else 'ul' %}
<{{ tag }}>{% for item in section.items %}<li>{{ item }}</li>{% endfor %}</{{ tag }}>{% endif %}
{% if section.rows %}<div class="table"><table><tr>{% for c in section.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in section.rows %}<tr>{% for cell in row %}<td{% if loop.index > 3 %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>{% endfor %}
</table></div>{% endif %}
{% endif %}{% endfor %}
{% if view.attachments %}<h2>附件</h2><ul>{% for name, url, size in view.attachments %}
<li><a href="{{ url }}" download="{{ name }}">{{ name }}</a> {{ size }}</li>{% endfor %}</ul>{% endif %}
<footer>信息编号：{{ record_id }}{% if view.updated_at %}<br>更新时间：{{ view.updated_at }}{% endif %}<br>内容以发布机关正式文本为准。</footer>
{% else %}
<h1>{{ heading }}</h1>
<p>{{ message }}</p>
<footer>信息编号：{{ record_id }}</footer>
{% endif %}
</main></body>
</html>
"""

_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_template = _env.from_string(_PAGE)


def render_item(record: dict[str, Any]) -> str:
    view = describe(record)
    return _template.render(view=view, title=f"{view.title} - {view.kind_label}", record_id=record.get("id", ""))


def render_missing(record_id: str, *, withdrawn: bool = False) -> str:
    heading = "该信息已撤回" if withdrawn else "未找到该信息"
    message = "发布机关已撤回这条信息。" if withdrawn else "这条信息不存在，或尚未发布。请核对二维码，或到政务服务大厅查询。"
    return _template.render(view=None, title=heading, heading=heading, message=message, record_id=record_id)


def item_response(index: FeedIndex, record_id: str) -> tuple[str, int]:
    """(html, status) for `/r/<id>`: 200, 410 for a withdrawn record, 404 for an unknown one."""
    record = index.lookup(record_id)
    if record is None or record.get("kind") in HIDDEN_KINDS:
        return render_missing(record_id), 404
    if record.get("deleted"):
        return render_missing(record_id, withdrawn=True), 410
    return render_item(record), 200
