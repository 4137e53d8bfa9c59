"""Enrol a terminal at the portal with a one-time code: staff type the code once, at installation.

On success the terminal has its credentials (``credentials.json``, mode 0600), the feed's root
metadata as its TUF trust anchor (``sync/root.json``) and its id, region, name and portal URL in
the local settings. Every failure raises :class:`EnrollError` with a message staff can act on,
in Chinese and English; nothing is written unless the portal said 201 and every check passed.

The answer carries the trust root and the portal's sealing key, so it must not come from a man in
the middle: the portal must be ``https://`` (plain ``http://`` only for a portal on this machine),
and the root must have the fingerprint printed on the enrolment code slip (``kiosk-portal
enroll-code``): the SHA-256 of the exact ``root.json`` bytes the terminal anchors.
:func:`root_fingerprint` and :func:`format_fingerprint` are the one definition of it, for the slip,
for this check and for a staff screen that shows the fingerprint for confirmation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import logging
import re
import urllib.parse
from pathlib import Path
from typing import Any

import requests

from kiosk import regions
from kiosk.credentials import Credentials, save_credentials
from kiosk.errors import ExitCode, KioskError
from kiosk.files import write_atomic
from kiosk.settings import Settings
from sync.transport import make_session, session_timeouts

ROOT_FILE = Path("sync") / "root.json"
log = logging.getLogger(__name__)


class EnrollError(KioskError, RuntimeError):
    """Enrolment failed; ``str()`` is the bilingual message for staff."""

    exit_code = ExitCode.SYNC_FAILED

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class EnrollRefused(EnrollError):
    """Refused before anything was sent: the address or the fingerprint as typed cannot be used."""

    exit_code = ExitCode.BAD_INPUT


FINGERPRINT_HEX = 64
_FINGERPRINT_SEPARATORS = re.compile(r"[\s:\-]+")


def root_fingerprint(root_json: bytes) -> str:
    """The trust root's fingerprint: SHA-256 of the exact root.json bytes, 64 lower-case hex digits."""
    return hashlib.sha256(root_json).hexdigest()


def format_fingerprint(fingerprint: str) -> str:
    """For paper and screens: 8 groups of 8 hex digits, ``1a2b3c4d 5e6f7a8b …``."""
    return " ".join(fingerprint[i : i + 8] for i in range(0, len(fingerprint), 8))


def parse_fingerprint(text: str) -> str:
    """A fingerprint as staff type it (any case; spaces, colons or dashes anywhere) → 64 lower-case hex digits."""
    digits = _FINGERPRINT_SEPARATORS.sub("", text).lower()
    if not re.fullmatch(r"[0-9a-f]*", digits):
        bad = sorted({ch for ch in digits if ch not in "0123456789abcdef"})
        raise EnrollRefused(f"根指纹只能包含 0-9 和 a-f（收到 {''.join(bad)!r}）",
                            f"the root fingerprint must be hex digits 0-9 a-f (found {''.join(bad)!r} in {text!r})")
    if len(digits) != FINGERPRINT_HEX:
        raise EnrollRefused(f"根指纹应为 {FINGERPRINT_HEX} 位十六进制数（8 组，每组 8 位），收到 {len(digits)} 位；请照登记码单据完整输入",
                            f"the root fingerprint must be all {FINGERPRINT_HEX} hex digits (8 groups of 8) from the enrolment "
                            f"code slip (found {len(digits)}); a shortened fingerprint is not accepted")
    return digits


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: a portal on this machine, where no one can sit in between."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_portal_url(portal_url: str) -> bool:
    """Refuse an address that is not https (plain http only on loopback); return whether it is loopback."""
    parts = urllib.parse.urlsplit(portal_url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise EnrollRefused(f"门户地址应以 https:// 开头（收到 {portal_url!r}）",
                            f"the portal address must start with https:// (expected https://host…, found {portal_url!r})")
    loopback = is_loopback_host(host)
    if parts.scheme == "http" and not loopback:
        raise EnrollRefused(f"门户地址必须使用 https://（收到 {portal_url!r}）；明文 http 只允许用于本机门户（127.0.0.1、::1、localhost）",
                            f"the portal address must be https:// (found {portal_url!r}): the enrolment answer carries the trust "
                            "root and the portal's sealing key; plain http is allowed only for a portal on this machine "
                            "(127.0.0.1, ::1, localhost)")
    return loopback


def root_path(data_dir: Path) -> Path:
    return Path(data_dir) / ROOT_FILE


def anchored_roots(data_dir: Path) -> list[Path]:
    """The roots this terminal already trusts: the enrolment anchor, then python-tuf's verified current root."""
    candidates = (root_path(data_dir), Path(data_dir) / "sync" / "metadata" / "root.json")
    return [path for path in candidates if path.is_file()]


def anchored_root_refusal(data_dir: Path, root_json: bytes, source: Path) -> str | None:
    """Why ``root_json`` (a `kiosk import-feed --root` file) must not become the anchor, or None when it may.

    A terminal with no root yet takes it; a terminal already anchored (by enrolment or an earlier
    import) takes only the same bytes again. A new root arrives through the feed's signed metadata,
    verified by the old one, never by replacing the anchor.
    """
    anchored = anchored_roots(data_dir)
    if not anchored:
        return None
    try:
        held = [(path, path.read_bytes()) for path in anchored]
    except OSError as exc:
        return f"{source}: refused: cannot read this terminal's trust root to compare ({exc}); nothing was changed"
    if any(root_json == raw for _path, raw in held):
        return None
    path, raw = held[0]
    return (f"{source}: refused: this terminal is already anchored to the trust root with fingerprint "
            f"{format_fingerprint(root_fingerprint(raw))} ({path}); the file has {format_fingerprint(root_fingerprint(root_json))}. "
            "A new root (key rotation) arrives through the feed's own signed metadata, checked against the anchored one: "
            "import without --root. Nothing was changed.")


def enroll(data_dir: Path, portal_url: str, code: str, *, name: str | None = None, session: requests.Session | None = None,
           root_fingerprint_text: str | None = None) -> Credentials:
    """Redeem ``code`` at ``portal_url``; check the trust root; save credentials, root and settings; return the credentials.

    ``root_fingerprint_text`` is the fingerprint from the enrolment code slip: required unless the
    portal is on loopback (checked there when given). Everything that can be refused without the
    network is refused before the code is sent, so the code is not spent.
    """
    data_dir = Path(data_dir)
    portal_url = portal_url.strip().rstrip("/")
    loopback = check_portal_url(portal_url)
    if not code.strip():
        raise EnrollRefused("请输入登记码", "enter the enrolment code")
    expected = parse_fingerprint(root_fingerprint_text) if root_fingerprint_text and root_fingerprint_text.strip() else None
    if expected is None and not loopback:
        raise EnrollRefused("通过网络登记需要门户的根指纹：它印在登记码单据上（kiosk-portal enroll-code），请用 --root-fingerprint 输入",
                            "enrolling over the network needs the portal's root fingerprint: it is printed on the enrolment code "
                            "slip (`kiosk-portal enroll-code`); give it with --root-fingerprint")
    settings = Settings(data_dir / "settings.json")
    session = session or make_session(settings)
    body: dict[str, Any] = {"code": code.strip()}
    if name:
        body["name"] = name
    try:
        response = session.post(f"{portal_url}/api/v1/enroll", json=body, timeout=session_timeouts(session).pair())
    except requests.Timeout as exc:
        raise EnrollError(f"门户 {portal_url} 没有及时回应，请稍后再试", f"the portal at {portal_url} did not answer in time ({exc})") from exc
    except requests.RequestException as exc:
        raise EnrollError(f"无法连接门户 {portal_url}，请检查网络、地址和代理设置",
                          f"cannot reach the portal at {portal_url}: check the network, address and proxy ({exc})") from exc
    with response:
        data = _json_object(response, portal_url)
        if response.status_code == 403:
            raise EnrollError("登记码无效、已被使用或已过期，请向县级管理员索取新的登记码",
                              f"the enrolment code is unknown, already used or expired; ask the county for a new one ({_said(data)})")
        if response.status_code != 201:
            raise EnrollError(f"门户拒绝登记（HTTP {response.status_code}）：{data.get('error_zh') or data.get('error') or ''}",
                              f"the portal refused enrolment (HTTP {response.status_code}): {_said(data)}")
    creds = _credentials(data, portal_url)
    root = _root_bytes(data)
    if expected is not None:
        _check_fingerprint(root, expected, portal_url)
    if root is not None:
        write_atomic(root_path(data_dir), root, mode=0o600)
    else:  # the county has not published a feed yet (loopback only, no fingerprint given): fetch the root later
        log.warning("the portal sent no feed root at enrolment; %s not written", root_path(data_dir))
    save_credentials(data_dir, creds)
    settings.set_local("sync.portal_url", portal_url)
    settings.set_local("terminal.id", creds.terminal_id)
    if creds.name:
        settings.set_local("terminal.name", creds.name)
    settings.set_local("terminal.region", creds.region)
    return creds


def _root_bytes(data: dict[str, Any]) -> bytes | None:
    """The exact root.json bytes to anchor: ``root_b64`` (the feed's file as published), else ``root`` serialized."""
    encoded = data.get("root_b64")
    if encoded is not None:
        try:
            raw = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
            parsed = json.loads(raw) if raw is not None else None
        except (binascii.Error, ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            raise EnrollError("门户发送的根元数据格式错误", "the portal's root_b64 is not base64 of a JSON object")
        return raw
    if isinstance(data.get("root"), dict):  # a portal that sends only the parsed root: anchor it as kiosk/credentials.py writes JSON
        return json.dumps(data["root"], ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return None


def _check_fingerprint(root: bytes | None, expected: str, portal_url: str) -> None:
    """The root must be the one on the slip; nothing has been written yet when this refuses."""
    if root is None:
        raise EnrollError("门户没有发送根元数据，无法核对登记码单据上的根指纹；未保存任何内容。登记码已用掉，请县级管理员发布数据后重新签发",
                          f"the portal at {portal_url} sent no trust root, so the fingerprint from the slip cannot be checked; "
                          "nothing was saved. The code is used up: ask the county to publish the feed and issue a new code")
    found = root_fingerprint(root)
    if found != expected:
        raise EnrollError(
            f"门户的根指纹与登记码单据不符，未保存任何内容：单据为 {format_fingerprint(expected)}，门户发送的是 {format_fingerprint(found)}。"
            "这可能不是县级门户，或有人在中间截取；请联系县级管理员并索取新的登记码",
            f"the portal's trust root does not match the enrolment code slip; nothing was saved: expected fingerprint "
            f"{format_fingerprint(expected)} (from the slip), found {format_fingerprint(found)} from {portal_url}. "
            "This is not the county's portal or someone is in between (or the county rotated its root after printing "
            "the slip); tell the county and ask for a new code")


def _json_object(response: requests.Response, portal_url: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        start = response.text[:80].strip()
        raise EnrollError(f"{portal_url} 的回答不是门户接口的格式（HTTP {response.status_code}），请检查门户地址",
                          f"{portal_url} did not answer like a portal (HTTP {response.status_code}, not a JSON object: {start!r}); check the address")
    return data


def _said(data: dict[str, Any]) -> str:
    return str(data.get("error") or data.get("error_zh") or "no reason given")


def _credentials(data: dict[str, Any], portal_url: str) -> Credentials:
    """Check the 201 answer has everything a terminal needs before anything is written."""
    missing = [name for name in ("terminal_id", "token", "region", "portal_public_key") if not isinstance(data.get(name), str) or not data[name]]
    if data.get("root") is not None and not isinstance(data.get("root"), dict):
        missing.append("root")
    if missing:
        raise EnrollError("门户的登记回答缺少必要内容：" + "、".join(missing), "the portal's enrolment answer lacks " + ", ".join(missing))
    if not regions.is_valid(data["region"]):
        raise EnrollError(f"门户给出的区划代码 {data['region']!r} 无效", f"the portal sent an invalid region code {data['region']!r}")
    try:
        key = base64.b64decode(data["portal_public_key"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnrollError("门户公钥格式错误", f"the portal's public key is not base64: {exc}") from exc
    if len(key) != 32:
        raise EnrollError("门户公钥格式错误", f"the portal's public key must be 32 bytes (found {len(key)})")
    feed_url = data.get("feed_url") if isinstance(data.get("feed_url"), str) and data.get("feed_url") else f"{portal_url}/feed/"
    return Credentials(terminal_id=data["terminal_id"], token=data["token"], portal_url=portal_url, feed_url=str(feed_url),
                       portal_public_key=data["portal_public_key"], region=data["region"], name=str(data.get("name") or ""))
