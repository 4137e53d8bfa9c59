"""The portal's WSGI app: enrolment, the idempotent upload inbox, the static feed and item pages.

Contract: docs/PROTOCOL.md, "Terminal ↔ portal API". Every error a terminal sees is JSON
`{"error", "error_zh"}`, so the kiosk can log the English and show staff the Chinese.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlparse

import flask
import peewee
import waitress
from nacl.public import PrivateKey
from waitress import wasyncore
from werkzeug.exceptions import HTTPException

from kiosk.i18n import negotiate
from kiosk.privacy import mask_numbers
from kiosk.protocol import (
    BODY_FIELDS,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_RULE,
    OUTBOX_KINDS,
    ZERO_RESULT_QUERY_CHARS,
    ZERO_RESULTS_PER_ITEM,
    is_idempotency_key,
)
from sync.portal.limits import FailureThrottle, InboxQuota
from sync.portal.models import (
    REGION_RE,
    PortalDB,
    code_digest,
    ensure_private_dir,
    load_box_key,
    load_code_key,
    open_db,
    public_key_b64,
    sha256_hex,
    utcnow,
)
from sync.portal.pages import HTML_LANG, FeedIndex, item_response, latest_root_file
from sync.portal.staff_text import UNPRINTABLE_RE

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
# waitress reads a whole body before the app sees it, and its own default limit is 1 GiB (waitress 3.0).
# Its limit sits a little above ours, so a body just over 256 KiB still gets Flask's JSON 413 while a
# 256 MiB upload is refused from its headers (or its first chunks past the limit), token or not.
WAITRESS_MAX_BODY_BYTES = MAX_BODY_BYTES + 64 * 1024
CHANNEL_TIMEOUT_S = 10  # an idle connection is closed after this (waitress: 120)
CLEANUP_INTERVAL_S = 2  # how often waitress looks for idle connections (waitress: 30)
MAX_JSON_DEPTH = 32  # a heartbeat nests 4 deep (body, payload, printer, reasons)
# A JSON string, as an unrolled loop: 1.7 ms over a 250 KiB body where `(?:[^"\\]|\\.)*` took 80 ms.
JSON_STRING_RE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
BRACKET_RE = re.compile(rb"[\[\]{}]")
# Heartbeat bounds: counts fit a signed 64-bit column, a terminal follows a handful of channels.
MAX_COUNT = 2**63 - 1
MAX_CHANNELS = 64
MAX_ERROR_CHARS = 4000
MAX_SEARCHES_PER_DAY = 1_000_000  # one terminal's searches in a day, far above a busy hall's; more is a rogue count
DAY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SEALED_OVERHEAD = 48  # X25519 ephemeral public key (32) + Poly1305 tag (16)
RETRY_AFTER_S = 5
# Wrong enrolment codes allowed per window, per client address and for the whole portal (`kiosk-portal serve` options).
ENROL_FAILURES_PER_ADDRESS = 10
ENROL_FAILURES_TOTAL = 50
ENROL_WINDOW_S = 900.0
FEED_FOLDERS = ("metadata", "targets", "blobs")  # what a terminal reads under /feed/ (docs/PROTOCOL.md); nothing else is served
HTTP_ERRORS = {  # werkzeug's own errors, worded for a terminal log and a staff screen
    400: ("bad request", "请求格式错误"),
    404: ("no such endpoint", "没有这个接口"),
    405: ("method not allowed", "不支持该请求方法"),
    413: (f"the body is over {MAX_BODY_BYTES // 1024} KiB", f"请求内容超过 {MAX_BODY_BYTES // 1024} KiB"),
}


class ApiError(Exception):
    """An answer to a terminal that is not a success; `error` is English, `error_zh` Chinese."""

    def __init__(self, status: int, error: str, error_zh: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.error_zh, self.headers = status, error, error_zh, headers or {}


def bad_request(error: str, error_zh: str) -> NoReturn:
    raise ApiError(400, error, error_zh)


@dataclass
class Portal:
    """What the request handlers share: the database, the feed and the sealed-box key."""

    db: PortalDB
    feed_dir: Path
    feed_index: FeedIndex
    box_key: PrivateKey
    code_key: bytes
    enrol_throttle: FailureThrottle
    inbox_quota: InboxQuota


def portal() -> Portal:
    return flask.current_app.extensions["kiosk_portal"]


def check_private_outside_feed(feed_dir: Path, keys_dir: Path, db_url: str) -> None:
    """Refuse a state folder or SQLite file that the feed's web server (or a CDN copying the feed) could publish.

    The feed folder is public by design; the state folder holds the sealed-box private key and the
    enrolment-code key, the database holds every token's hash and every upload.
    """
    feed = Path(feed_dir).resolve()
    keys = Path(keys_dir).resolve()
    if keys.is_relative_to(feed) or feed.is_relative_to(keys):
        raise ValueError(f"the state folder must be outside the feed folder {feed}, so its private keys are never served "
                         f"(found --state-dir {keys}, which is inside it or contains it)")
    parsed = urlparse(db_url)
    if parsed.scheme.startswith("sqlite") and parsed.path[1:] not in ("", ":memory:"):
        database = Path(parsed.path[1:]).resolve()
        if database.is_relative_to(feed):
            raise ValueError(f"the database must be outside the feed folder {feed} (found {database})")


def enrolment_alert(scope: str, address: str, failures: int) -> None:
    """Staff must hear that codes are being guessed: one WARNING line per limit and window, in the portal's log."""
    who = f"from {address}" if scope == "address" else "from all addresses together"
    log.warning("ALERT: enrolment codes are being guessed: %d wrong codes %s in %d s; enrolment %s is refused with 429 "
                "until the window passes", failures, who, int(ENROL_WINDOW_S), "for that address" if scope == "address" else "for everyone")


def create_app(feed_dir: Path, db_url: str, keys_dir: Path, *, enrol_throttle: FailureThrottle | None = None,
               inbox_quota: InboxQuota | None = None) -> flask.Flask:
    """The portal as a Flask app (serve it with waitress); tables and the keys are made if missing.

    Raises ValueError, before anything is created, when the state folder or the database lies inside the feed.
    """
    check_private_outside_feed(feed_dir, keys_dir, db_url)
    feed_dir = Path(feed_dir).resolve()
    ensure_private_dir(Path(keys_dir))
    app = flask.Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    state = Portal(db=open_db(db_url), feed_dir=feed_dir, feed_index=FeedIndex(feed_dir), box_key=load_box_key(Path(keys_dir)),
                   code_key=load_code_key(Path(keys_dir)),
                   enrol_throttle=enrol_throttle or FailureThrottle(ENROL_FAILURES_PER_ADDRESS, ENROL_FAILURES_TOTAL, ENROL_WINDOW_S),
                   inbox_quota=inbox_quota or InboxQuota())
    state.enrol_throttle.on_alert = enrolment_alert
    app.extensions["kiosk_portal"] = state

    @app.before_request
    def _connect() -> None:
        if flask.request.path.startswith(("/api/", "/healthz")):
            state.db.db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        # SQLite connections stay open for the life of each waitress thread: closing the last one
        # checkpoints the WAL, which cost more than the request itself. Server databases close
        # per request (or pool, with a postgresql+pool:// URL).
        if not state.db.is_sqlite():
            state.db.close()

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> flask.Response:
        response = flask.jsonify(error=exc.error, error_zh=exc.error_zh)
        response.status_code = exc.status
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(peewee.OperationalError)
    @app.errorhandler(peewee.InterfaceError)
    def _busy(exc: Exception) -> flask.Response:
        # SQLite past busy_timeout ("database is locked"), PostgreSQL down or timing out: try later.
        log.warning("database busy or unavailable: %s", exc)
        return _api_error(ApiError(503, "the portal is busy, try again later", "门户繁忙，请稍后重试", {"Retry-After": str(RETRY_AFTER_S)}))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not flask.request.path.startswith("/api/"):
            return exc
        error, error_zh = HTTP_ERRORS.get(exc.code or 500, (exc.name, exc.name))
        return _api_error(ApiError(exc.code or 500, error, error_zh))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> flask.Response:
        log.exception("unexpected error on %s %s", flask.request.method, flask.request.path)
        return _api_error(ApiError(500, "internal error", "门户内部错误"))

    app.add_url_rule("/api/v1/enroll", view_func=enroll, methods=["POST"])
    app.add_url_rule("/api/v1/inbox", view_func=inbox, methods=["POST"])
    app.add_url_rule("/api/v1/whoami", view_func=whoami, methods=["GET"])
    app.add_url_rule("/healthz", view_func=healthz, methods=["GET"])
    app.add_url_rule("/feed/<path:filename>", view_func=feed_file, methods=["GET"])
    app.add_url_rule("/r/<record_id>", view_func=item_page, methods=["GET"])
    return app


# ---------------------------------------------------------------- request helpers


def json_depth(data: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest, brackets inside strings not counted.

    Checked before `json.loads`, which recurses once per level and raises RecursionError (a 500)
    somewhere near a thousand levels; a real body nests four or five deep.
    """
    depth = deepest = 0
    for bracket in BRACKET_RE.findall(JSON_STRING_RE.sub(b"", data)):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def lone_surrogate(value: Any) -> bool:
    """True if a string (or key) anywhere in `value` holds a lone UTF-16 surrogate such as \\ud800.

    Such escapes are valid JSON syntax but not text: they cannot be hashed, stored or shown.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(lone_surrogate(key) or lone_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(lone_surrogate(item) for item in value)
    return False


def json_body() -> Any:
    """The body as JSON; 413 is raised by Flask before we read past MAX_CONTENT_LENGTH.

    Everything malformed is a 400 that says what was wrong: not UTF-8, not JSON, nested deeper
    than MAX_JSON_DEPTH, or holding a lone surrogate. None of it reaches the 500 handler.
    """
    data = flask.request.get_data(cache=False)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        bad_request("the body is not UTF-8", "请求内容不是 UTF-8 编码")
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        bad_request(f"the body nests arrays and objects {depth} levels deep (expected at most {MAX_JSON_DEPTH})",
                    f"请求内容嵌套过深（{depth} 层，最多 {MAX_JSON_DEPTH} 层）")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:
        bad_request(f"the body is not valid JSON ({str(exc)[:200]})", "请求内容不是有效的 JSON")
    if lone_surrogate(body):
        bad_request("a string in the body holds a lone UTF-16 surrogate escape such as \\ud800 (expected text)",
                    "请求内容含有无效的 Unicode 代理字符")
    return body


def authenticated_terminal() -> Any:
    """The terminal the bearer token belongs to; the only source of a caller's identity."""
    header = flask.request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing bearer token", "缺少终端凭据", {"WWW-Authenticate": "Bearer"})
    db = portal().db
    terminal = db.Terminal.get_or_none(db.Terminal.token_sha256 == sha256_hex(token.strip()))
    if terminal is None:
        raise ApiError(401, "unknown token", "终端凭据无效", {"WWW-Authenticate": "Bearer"})
    if terminal.revoked_at is not None:
        raise ApiError(403, "this terminal has been revoked", "该终端已被停用")
    return terminal


def parse_iso_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def validate_inbox_body(body: Any, terminal_id: str) -> dict[str, Any]:
    """The body with every field present (payload/sealed default to null); 400 names the bad field."""
    if not isinstance(body, dict):
        bad_request("the body must be a JSON object", "请求内容必须是 JSON 对象")
    for name in body:
        if name not in BODY_FIELDS:
            bad_request(f"unknown field '{name}' (expected {', '.join(BODY_FIELDS)})", f"未知字段 '{name}'")
    kind = body.get("kind")
    if kind not in OUTBOX_KINDS:
        bad_request(f"field 'kind' must be one of {', '.join(OUTBOX_KINDS)}, got {kind!r}", f"字段 'kind' 必须是 {'、'.join(OUTBOX_KINDS)} 之一")
    if parse_iso_time(body.get("created_at")) is None:
        bad_request("field 'created_at' must be an ISO 8601 time with a UTC offset, e.g. 2026-11-21T09:00:00+08:00",
                    "字段 'created_at' 必须是带时区的 ISO 8601 时间")
    payload, sealed = body.get("payload"), body.get("sealed")
    if payload is not None and not isinstance(payload, dict):
        bad_request("field 'payload' must be an object or null", "字段 'payload' 必须是对象或 null")
    if sealed is not None:
        try:
            opened = base64.b64decode(sealed, validate=True) if isinstance(sealed, str) else None
        except (binascii.Error, ValueError):
            opened = None
        if opened is None:
            bad_request("field 'sealed' must be base64 text or null", "字段 'sealed' 必须是 base64 文本或 null")
        if len(opened) <= SEALED_OVERHEAD:
            bad_request("field 'sealed' is too short to be a sealed box", "字段 'sealed' 太短，不是有效的密封数据")
    if payload is None and sealed is None:
        bad_request("field 'payload' or 'sealed' must be given", "字段 'payload' 和 'sealed' 不能都为空")
    if kind == "request" and sealed is None:
        bad_request("field 'sealed' is required for a request: personal data travels only sealed", "依申请公开必须以 'sealed' 密封提交")
    if kind == "heartbeat":
        if payload is None:
            bad_request("field 'payload' must be an object for a heartbeat", "心跳的字段 'payload' 必须是对象")
        validate_heartbeat(payload, terminal_id)
    if kind == "usage" and payload is not None:
        validate_usage(payload, terminal_id)
    return {"kind": kind, "created_at": body["created_at"], "payload": payload, "sealed": sealed}


def _heartbeat_field(name: str, expected: str, found: Any) -> NoReturn:
    shown = repr(found)
    bad_request(f"field 'payload.{name}' must be {expected} (found {shown[:80]}{'…' if len(shown) > 80 else ''})",
                f"心跳字段 'payload.{name}' 格式错误")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _is_label(value: Any, max_chars: int) -> bool:
    """Short text a staff table shows as is: no control or format characters at all."""
    return isinstance(value, str) and len(value) <= max_chars and not UNPRINTABLE_RE.search(value)


def validate_heartbeat(payload: dict[str, Any], terminal_id: str) -> None:
    """The heartbeat's fields (docs/PROTOCOL.md, "Heartbeat payload") have their documented types; 400 names the first that doesn't.

    Every field may be missing (older terminals send fewer), and fields this portal does not know
    are kept, for newer terminals. What `kiosk-portal terminals` shows in its table (version,
    printer state and reasons, channels) must be short and free of control characters; free text
    (`last_sync_error`) is bounded here and stripped when shown.
    """
    if payload.get("terminal_id", terminal_id) != terminal_id:
        bad_request("field 'payload.terminal_id' does not match the terminal of the token", "字段 'payload.terminal_id' 与终端凭据不符")
    generations = payload.get("generations", {})
    if not isinstance(generations, dict) or len(generations) > MAX_CHANNELS:
        _heartbeat_field("generations", f"an object of at most {MAX_CHANNELS} channels", generations)
    for channel, generation in generations.items():
        if not REGION_RE.match(channel) or not _is_count(generation):
            _heartbeat_field("generations", "a map of 12-digit channel codes to non-negative integers", {channel: generation})
    if "app_version" in payload and payload["app_version"] is not None and not _is_label(payload["app_version"], 64):
        _heartbeat_field("app_version", "text of at most 64 characters without control characters", payload["app_version"])
    if payload.get("last_sync") is not None and parse_iso_time(payload["last_sync"]) is None:
        _heartbeat_field("last_sync", "an ISO 8601 time with a UTC offset, or null", payload["last_sync"])
    error = payload.get("last_sync_error")
    if error is not None and (not isinstance(error, str) or len(error) > MAX_ERROR_CHARS):
        _heartbeat_field("last_sync_error", f"text of at most {MAX_ERROR_CHARS} characters, or null", error)
    for name in ("outbox_backlog", "disk_free_bytes", "uptime_s"):
        if payload.get(name) is not None and not _is_count(payload[name]):
            _heartbeat_field(name, "a non-negative integer", payload[name])
    printer = payload.get("printer")
    if printer is None:
        return
    if not isinstance(printer, dict):
        _heartbeat_field("printer", 'an object such as {"state": "ready", "reasons": []}, or null', printer)
    if not _is_label(printer.get("state"), 32):
        _heartbeat_field("printer", "an object whose 'state' is text of at most 32 characters without control characters", printer)
    reasons = printer.get("reasons", [])
    if not isinstance(reasons, list) or len(reasons) > 32 or not all(_is_label(reason, 128) for reason in reasons):
        _heartbeat_field("printer", "an object whose 'reasons' is a list of at most 32 short texts without control characters", printer)
    if printer.get("message_zh") is not None and (not isinstance(printer["message_zh"], str) or len(printer["message_zh"]) > 500):
        _heartbeat_field("printer", "an object whose 'message_zh' is text of at most 500 characters", printer)


def _usage_field(name: str, expected: str, found: Any) -> NoReturn:
    shown = repr(found)
    bad_request(f"field 'payload.{name}' must be {expected} (found {shown[:80]}{'…' if len(shown) > 80 else ''})",
                f"使用统计字段 'payload.{name}' 格式错误")


def validate_usage(payload: dict[str, Any], terminal_id: str) -> None:
    """A usage item's zero-result searches (docs/PROTOCOL.md, "Usage payload") are bounded; 400 names the first that isn't.

    `kiosk-portal zero-results` adds them up across terminals, so a rogue terminal must not be able to
    send more than ZERO_RESULTS_PER_ITEM entries, long or control-character text, a personal number
    the terminal should have dropped, or counts that are not positive integers. Older terminals send
    no `zero_results`; the print counts are kept as sent.
    """
    if payload.get("terminal_id", terminal_id) != terminal_id:
        bad_request("field 'payload.terminal_id' does not match the terminal of the token", "字段 'payload.terminal_id' 与终端凭据不符")
    day = payload.get("day")
    if day is not None and (not isinstance(day, str) or not DAY_RE.match(day)):
        _usage_field("day", "a date such as 2026-11-21", day)
    entries = payload.get("zero_results", [])
    if not isinstance(entries, list) or len(entries) > ZERO_RESULTS_PER_ITEM:
        _usage_field("zero_results", f"a list of at most {ZERO_RESULTS_PER_ITEM} entries", entries)
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"query", "searches"}:
            _usage_field("zero_results", 'a list of {"query": text, "searches": count} objects', entry)
        query, searches = entry["query"], entry["searches"]
        if not _is_label(query, ZERO_RESULT_QUERY_CHARS) or not query.strip() or query in seen:
            _usage_field("zero_results", f"distinct queries of 1–{ZERO_RESULT_QUERY_CHARS} characters without control characters", query)
        if mask_numbers(query) != query:
            _usage_field("zero_results", "queries without ID-card, bank-card or mobile numbers", "(a personal number, not shown)")
        if not _is_count(searches) or searches < 1 or searches > MAX_SEARCHES_PER_DAY:
            _usage_field("zero_results", f"counts from 1 to {MAX_SEARCHES_PER_DAY}", searches)
        seen.add(query)


def canonical_sha256(body: dict[str, Any]) -> str:
    """Same body, same hash: key order and whitespace don't make a retry look like a new item."""
    return sha256_hex(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


# ---------------------------------------------------------------- endpoints


def enroll() -> tuple[flask.Response, int]:
    """Redeem a one-time code. Wrong codes are counted per client address and in total (FailureThrottle): past
    the limit every attempt is a 429 with Retry-After, checked before the body is even parsed."""
    state = portal()
    db = state.db
    address = flask.request.remote_addr or "-"
    verdict = state.enrol_throttle.check(address)
    if not verdict.allowed:
        raise ApiError(429, f"too many wrong enrolment codes {'from this address' if verdict.scope == 'address' else 'at this portal'}; "
                       f"try again in {verdict.retry_after_s} s", f"注册码错误次数过多，请 {verdict.retry_after_s} 秒后再试",
                       {"Retry-After": str(verdict.retry_after_s)})
    body = json_body()
    if not isinstance(body, dict):
        bad_request("the body must be a JSON object", "请求内容必须是 JSON 对象")
    code, name = body.get("code"), body.get("name")
    if not isinstance(code, str) or not code.strip():
        bad_request("field 'code' must be the enrolment code", "字段 'code' 必须是注册码")
    if name is not None and (not isinstance(name, str) or len(name) > 200 or UNPRINTABLE_RE.search(name)):
        bad_request("field 'name' must be text of at most 200 characters without control characters",
                    "字段 'name' 必须是不超过 200 字、不含控制字符的文本")
    refused = ApiError(403, "unknown, used or expired enrolment code", "注册码无效、已使用或已过期")
    now = utcnow()
    found = db.EnrolmentCode.get_or_none(db.EnrolmentCode.code_sha256 == code_digest(state.code_key, code))
    if found is None or found.used_by is not None or found.expires_at <= now:
        state.enrol_throttle.failed(address)
        raise refused
    terminal_id = "t-" + secrets.token_hex(5)
    token = secrets.token_urlsafe(32)
    # The staff's name for the place wins; a terminal's own name is used when staff gave none.
    terminal_name = found.name or (name or "").strip()
    with db.db.atomic():
        claimed = (db.EnrolmentCode.update(used_by=terminal_id)
                   .where((db.EnrolmentCode.id == found.id) & db.EnrolmentCode.used_by.is_null() & (db.EnrolmentCode.expires_at > now))
                   .execute())
        if claimed != 1:  # another enrolment took the code between our read and this write
            raise refused
        db.Terminal.create(terminal_id=terminal_id, name=terminal_name, region=found.region, token_sha256=sha256_hex(token),
                           enrolled_at=now, last_ip=flask.request.remote_addr)
    log.info("enrolled %s (%s, %s)", terminal_id, found.region, terminal_name)
    root = latest_root_file(state.feed_dir)  # the exact bytes, whose SHA-256 is on the code slip, and parsed for older terminals
    return flask.jsonify(
        terminal_id=terminal_id, token=token, region=found.region, name=terminal_name, portal_public_key=public_key_b64(state.box_key),
        feed_url=flask.request.host_url + "feed/", root=json.loads(root[1]) if root else None,
        root_b64=base64.b64encode(root[1]).decode("ascii") if root else None,
    ), 201


def inbox() -> tuple[flask.Response, int]:
    """Store one upload once. Each terminal has an item and a byte quota (InboxQuota): past it, 429 + Retry-After,
    before the body is parsed, which the sender honours like a busy portal."""
    state = portal()
    db = state.db
    terminal = authenticated_terminal()
    verdict = state.inbox_quota.charge(terminal.terminal_id, flask.request.content_length or 0)
    if not verdict.allowed:
        what = "items per minute" if verdict.scope == "items" else "bytes per hour"
        log.warning("inbox quota: %s is over its %s; answered 429 (Retry-After %d s)", terminal.terminal_id, what, verdict.retry_after_s)
        raise ApiError(429, f"this terminal is over its upload quota ({what}); try again in {verdict.retry_after_s} s",
                       f"该终端上传过于频繁，请 {verdict.retry_after_s} 秒后再试", {"Retry-After": str(verdict.retry_after_s)})
    key = flask.request.headers.get(IDEMPOTENCY_HEADER)
    if not is_idempotency_key(key):
        bad_request(f"header '{IDEMPOTENCY_HEADER}' must be {IDEMPOTENCY_KEY_RULE}", f"请求头 '{IDEMPOTENCY_HEADER}' 缺失或格式错误")
    body = validate_inbox_body(json_body(), terminal.terminal_id)
    digest = canonical_sha256(body)
    Item = db.InboxItem

    def known() -> tuple[flask.Response, int] | None:
        existing = Item.get_or_none((Item.terminal == terminal.terminal_id) & (Item.key == key))
        if existing is None:
            return None
        if existing.body_sha256 == digest:
            return flask.jsonify(status="duplicate"), 200
        raise ApiError(409, f"Idempotency-Key '{key}' was already used with a different body", "该 Idempotency-Key 已用于不同的内容")

    now = utcnow()
    payload_json = json.dumps(body["payload"], ensure_ascii=False) if body["payload"] is not None else None
    insert = Item.insert(terminal=terminal.terminal_id, key=key, kind=body["kind"], body_sha256=digest, payload=payload_json,
                         sealed=body["sealed"], created_at=body["created_at"], received_at=now)
    try:
        if body["kind"] != "heartbeat":
            insert.execute()  # one autocommit statement: SQLite's write lock is held for the INSERT alone
        else:
            with db.db.atomic():
                insert.execute()
                (db.Terminal.update(last_heartbeat_at=now, heartbeat=payload_json, last_ip=flask.request.remote_addr)
                 .where(db.Terminal.terminal_id == terminal.terminal_id).execute())
    except peewee.IntegrityError:
        # Insert first, look second: new items are the common case, and the unique index decides
        # races between two connections posting the same key.
        answer = known()
        if answer is None:
            raise
        return answer
    return flask.jsonify(status="stored"), 201


def whoami() -> flask.Response:
    terminal = authenticated_terminal()
    return flask.jsonify(terminal_id=terminal.terminal_id, region=terminal.region, name=terminal.name)


def healthz() -> tuple[flask.Response, int]:
    state = portal()
    state.db.db.execute_sql("SELECT 1")
    return flask.jsonify(status="ok", feed_targets_version=state.feed_index.version), 200


def feed_file(filename: str) -> flask.Response:
    """Static feed files with Range/conditional requests; safe_join inside refuses `..` escapes.

    Only the three folders terminals read are served (FEED_FOLDERS): whatever else lands in the
    feed folder — a key folder, a backup, publisher.json, .git — is a 404, not a download.
    """
    folder, _, rest = filename.partition("/")
    if folder not in FEED_FOLDERS or not rest or ".." in filename.split("/"):
        flask.abort(404)
    fresh = 0 if folder == "metadata" else 3600
    return flask.send_from_directory(portal().feed_dir, filename, conditional=True, max_age=fresh)


def item_page(record_id: str) -> flask.Response:
    """The page a QR code opens, in the phone's language (Accept-Language, or ``?lang=`` from the page's own switch)."""
    lang = negotiate(flask.request.headers.get("Accept-Language"), flask.request.args.get("lang"))
    html, status = item_response(portal().feed_index, record_id, lang)
    response = flask.Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Language"] = HTML_LANG[lang]
    response.vary.add("Accept-Language")  # a cache must not hand one phone's language to another
    return response


# ---------------------------------------------------------------- running it


def server_adjustments(**overrides: Any) -> dict[str, Any]:
    """waitress settings every portal runs with (`kiosk-portal serve` and tests alike); see docs/SECURITY.md.

    waitress 3.0 closes a channel with no request in progress after `channel_timeout` (default
    120 s), looking every `cleanup_interval` (default 30 s); at `connection_limit` it stops
    accepting. So 1,000 idle connections from one client held everyone else out for up to
    150 s. A channel that is sending a response is never closed this way, and every byte received
    counts as activity, so a slow upload or a long feed download is unaffected. What waitress
    can't do (limits per address, header and body deadlines) is the reverse proxy's job:
    docs/deploy/nginx-portal.conf.
    """
    return {"max_request_body_size": WAITRESS_MAX_BODY_BYTES, "channel_timeout": CHANNEL_TIMEOUT_S,
            "cleanup_interval": CLEANUP_INTERVAL_S, **overrides}


class ThreadedServer:
    """A waitress server on a background thread that stops cleanly (tests and benches).

    The asyncore loop runs in short slices so `stop()` takes effect within ~50 ms, and everything
    is closed on the loop's own thread, never under a running select().
    """

    def __init__(self, app: flask.Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 8, **adjustments: Any) -> None:
        self._map: dict[int, Any] = {}
        self.server: Any = waitress.create_server(app, map=self._map, host=host, port=port, threads=threads,
                                                  **server_adjustments(**adjustments))
        self.port: int = self.server.effective_port
        self.url = f"http://{host}:{self.port}"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"portal-{self.port}", daemon=True)

    def start(self) -> ThreadedServer:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=0.05, map=self._map, use_poll=True, count=1)
        finally:
            self.server.task_dispatcher.shutdown(timeout=5)
            wasyncore.close_all(self._map)

    def stop(self, timeout: float = 10) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
