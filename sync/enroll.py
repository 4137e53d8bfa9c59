"""Enrol a terminal at the portal with a one-time code: staff type the code once, at installation.

On success the terminal has its credentials (``credentials.json``, mode 0600), the feed's root
metadata as its TUF trust anchor (``sync/root.json``) and its id, region, name and portal URL in
the local settings. Every failure raises :class:`EnrollError` with a message staff can act on,
in Chinese and English; nothing is written unless the portal said 201.
"""

from __future__ import annotations

import base64
import binascii
import logging
from pathlib import Path
from typing import Any

import requests

from kiosk import regions
from kiosk.credentials import Credentials, save_credentials, write_private_json
from kiosk.errors import ExitCode, KioskError
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


def root_path(data_dir: Path) -> Path:
    return Path(data_dir) / ROOT_FILE


def enroll(data_dir: Path, portal_url: str, code: str, *, name: str | None = None, session: requests.Session | None = None) -> Credentials:
    """Redeem ``code`` at ``portal_url``; save credentials, trust root and settings; return the credentials."""
    data_dir = Path(data_dir)
    portal_url = portal_url.strip().rstrip("/")
    if not portal_url.startswith(("https://", "http://")):
        raise EnrollError(f"门户地址应以 https:// 开头（收到 {portal_url!r}）", f"the portal address must start with https:// (got {portal_url!r})")
    if not code.strip():
        raise EnrollError("请输入登记码", "enter the enrolment code")
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
    if isinstance(data.get("root"), dict):
        write_private_json(root_path(data_dir), data["root"])
    else:  # the county has not published a feed yet; the code is spent, so keep the enrolment and fetch the root later
        log.warning("the portal sent no feed root at enrolment; %s not written", root_path(data_dir))
    save_credentials(data_dir, creds)
    settings.set_local("sync.portal_url", portal_url)
    settings.set_local("terminal.id", creds.terminal_id)
    if creds.name:
        settings.set_local("terminal.name", creds.name)
    settings.set_local("terminal.region", creds.region)
    return creds


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
