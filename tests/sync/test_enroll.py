"""Enrolment against the real portal: credentials (0600), the trust root, settings, and clear failures."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
import requests

from kiosk.credentials import Credentials, CredentialsError, load_credentials, save_credentials
from kiosk.settings import Settings
from sync.enroll import EnrollError, EnrollRefused, check_portal_url, enroll, format_fingerprint, parse_fingerprint, root_fingerprint, root_path
from tests.sync.portal_support import FAKE_ROOT, VILLAGE, Canned, RunningPortal, free_port, portal_in_thread, stub_server


@pytest.fixture
def portal(tmp_path: Path) -> RunningPortal:
    with portal_in_thread(tmp_path / "portal") as running:
        yield running


def test_enrolment_writes_private_credentials_the_trust_root_and_settings(tmp_path: Path, portal: RunningPortal) -> None:
    data_dir = tmp_path / "terminal"
    code = portal.dirs.code("桃源村党群服务中心")
    creds = enroll(data_dir, portal.url + "/", code.lower())  # typed in lower case, with a trailing slash
    assert creds.terminal_id.startswith("t-") and creds.region == VILLAGE and creds.name == "桃源村党群服务中心"
    assert creds.portal_url == portal.url and creds.feed_url == portal.url + "/feed/"
    path = data_dir / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_credentials(data_dir) == creds
    assert json.loads(root_path(data_dir).read_text()) == FAKE_ROOT
    assert root_path(data_dir) == data_dir / "sync" / "root.json"
    settings = Settings(data_dir / "settings.json")
    assert settings.problems == []
    assert (settings["terminal.id"], settings["terminal.region"], settings["terminal.name"], settings["sync.portal_url"]) == (
        creds.terminal_id, VILLAGE, "桃源村党群服务中心", portal.url)
    whoami = requests.get(portal.url + "/api/v1/whoami", headers={"Authorization": f"Bearer {creds.token}"}, timeout=5).json()
    assert whoami == {"terminal_id": creds.terminal_id, "region": VILLAGE, "name": "桃源村党群服务中心"}
    assert creds.token not in repr(creds)
    assert sorted(p.name for p in data_dir.iterdir()) == ["credentials.json", "settings.json", "sync"]  # no temporary files left


def test_a_used_code_fails_clearly_and_writes_nothing(tmp_path: Path, portal: RunningPortal) -> None:
    code = portal.dirs.code()
    enroll(tmp_path / "first", portal.url, code)
    with pytest.raises(EnrollError) as failure:
        enroll(tmp_path / "second", portal.url, code)
    assert "已被使用" in failure.value.zh and "already used" in failure.value.en
    assert "已被使用" in str(failure.value) and "expired" in str(failure.value)
    assert not (tmp_path / "second" / "credentials.json").exists() and not root_path(tmp_path / "second").exists()
    with pytest.raises(EnrollError, match="unknown, already used or expired"):
        enroll(tmp_path / "third", portal.url, "ZZZZ-ZZZZ")


def test_no_network_and_strange_answers_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(EnrollError) as failure:
        enroll(tmp_path / "t", f"http://127.0.0.1:{free_port()}", "ABCD-EFGH")
    assert "无法连接门户" in failure.value.zh and "cannot reach the portal" in failure.value.en
    page = Canned(200, "<html><body>欢迎访问溪源县人民政府网站</body></html>".encode(), {"Content-Type": "text/html"})
    with stub_server(lambda _path, _body: page) as (url, seen), pytest.raises(EnrollError) as failure:
        enroll(tmp_path / "t", url, "ABCD-EFGH", name="一号机")
    assert "不是门户接口的格式" in failure.value.zh and "not a JSON object" in failure.value.en
    assert json.loads(seen[0]["body"]) == {"code": "ABCD-EFGH", "name": "一号机"}
    half = Canned(201, json.dumps({"terminal_id": "t-1", "token": "x", "region": VILLAGE}).encode(), {"Content-Type": "application/json"})
    with stub_server(lambda _path, _body: half) as (url, _seen), pytest.raises(EnrollError, match="lacks portal_public_key"):
        enroll(tmp_path / "t", url, "ABCD-EFGH")
    with pytest.raises(EnrollError, match="https://"):
        enroll(tmp_path / "t", "zwgk.xiyuan.example", "ABCD-EFGH")
    assert not (tmp_path / "t" / "credentials.json").exists()


def test_credentials_round_trip_and_a_damaged_file_is_named(tmp_path: Path) -> None:
    assert load_credentials(tmp_path) is None
    creds = Credentials("t-1", "secret", "https://p.example", "https://p.example/feed/", "a2V5", VILLAGE, "一号机")
    save_credentials(tmp_path, creds)
    assert load_credentials(tmp_path) == creds
    (tmp_path / "credentials.json").write_text("{broken")
    with pytest.raises(CredentialsError, match="enrol the terminal again"):
        load_credentials(tmp_path)
    (tmp_path / "credentials.json").write_text(json.dumps({"terminal_id": "t-1"}))
    with pytest.raises(CredentialsError, match="token"):
        load_credentials(tmp_path)


def test_the_fingerprint_is_the_sha256_of_the_anchored_bytes_typed_any_way(tmp_path: Path, portal: RunningPortal) -> None:
    raw = (portal.dirs.feed / "metadata" / "1.root.json").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    assert root_fingerprint(raw) == digest
    shown = format_fingerprint(digest)
    assert len(shown.split()) == 8 and all(len(group) == 8 for group in shown.split())
    for typed in (digest, shown, digest.upper(), ":".join(shown.split()), "-".join(shown.split()), " " + shown.upper() + "\n"):
        assert parse_fingerprint(typed) == digest
    with pytest.raises(EnrollRefused, match="found 63"):
        parse_fingerprint(digest[:-1])
    creds = enroll(tmp_path / "t", portal.url, portal.dirs.code(), root_fingerprint_text=shown)  # loopback: checked when given
    assert root_path(tmp_path / "t").read_bytes() == raw and creds.region == VILLAGE
    with pytest.raises(EnrollError, match="does not match the enrolment code slip"):
        enroll(tmp_path / "u", portal.url, portal.dirs.code(), root_fingerprint_text="0" * 64)
    assert not (tmp_path / "u").exists() or sorted(p.name for p in (tmp_path / "u").iterdir()) == []


def test_only_loopback_may_use_plain_http_or_skip_the_fingerprint() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "[::1]", "localhost", "LOCALHOST"):
        assert check_portal_url(f"http://{host}:8765") is True
    assert check_portal_url("https://zwgk.xiyuan.example") is False
    for url in ("http://128.0.0.1", "http://localhost.example.gov.cn", "http://10.0.0.5:8765", "ftp://127.0.0.1", "https://"):
        with pytest.raises(EnrollRefused):
            check_portal_url(url)
