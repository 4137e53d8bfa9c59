"""`kiosk-portal` as staff run it: real processes against the same database the server uses."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import requests
from nacl.public import PublicKey, SealedBox

from tests.helpers.paths import ROOT
from tests.portal.conftest import COUNTY, PortalServer, bearer

STAMP = "2026-11-21T09:00:00+08:00"


def post(portal: PortalServer, token: str, key: str, body: dict) -> requests.Response:
    return requests.post(f"{portal.base_url}/api/v1/inbox", json=body, headers={**bearer(token), "Idempotency-Key": key}, timeout=10)


def test_enroll_code_prints_a_typeable_code_that_enrols(portal_server: PortalServer) -> None:
    slip = portal_server.cli("enroll-code", "--region", "990121101201", "--name", "白竹村党群服务中心", "--hours", "2",
                             "--feed", str(portal_server.feed_dir)).stdout
    code = slip.splitlines()[0].removeprefix("登记码 enrolment code: ")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    enrolled = requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": code}, timeout=10).json()
    assert enrolled["name"] == "白竹村党群服务中心"
    bad = portal_server.cli("enroll-code", "--region", "9901", "--name", "x", "--feed", str(portal_server.feed_dir), check=False)
    assert bad.returncode == 2 and "12-digit" in bad.stderr


def test_the_enrolment_slip_carries_the_fingerprint_of_the_feeds_current_root(portal_server: PortalServer) -> None:
    args = ("enroll-code", "--region", "990121101201", "--name", "白竹村党群服务中心", "--feed", str(portal_server.feed_dir))
    unpublished = portal_server.cli(*args)
    assert "根指纹" not in unpublished.stdout and "no root metadata yet" in unpublished.stderr
    metadata = portal_server.feed_dir / "metadata"
    metadata.mkdir(parents=True, exist_ok=True)
    (metadata / "1.root.json").write_bytes(b'{"signatures": [], "signed": {"_type": "root", "version": 1}}')
    newest = b'{"signatures": [], "signed": {"_type": "root", "version": 2}}\n'
    (metadata / "2.root.json").write_bytes(newest)
    digest = hashlib.sha256(newest).hexdigest()
    slip = portal_server.cli(*args).stdout.splitlines()
    assert "2.root.json" in slip[2] and slip[3].strip() == " ".join(digest[i:i + 8] for i in range(0, 64, 8))
    as_json = json.loads(portal_server.cli(*args, "--json").stdout)
    assert as_json["root_fingerprint"].replace(" ", "") == digest and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", as_json["code"])
    # The terminal is handed exactly these bytes at enrolment, next to the parsed root older terminals read.
    answer = requests.post(f"{portal_server.base_url}/api/v1/enroll", json={"code": as_json["code"]}, timeout=10).json()
    assert base64.b64decode(answer["root_b64"]) == newest and answer["root"]["signed"]["version"] == 2
    missing = portal_server.cli("enroll-code", "--region", "990121101201", "--name", "x", "--feed", str(portal_server.feed_dir / "nope"),
                                check=False)
    assert missing.returncode == 2 and "is not a directory" in missing.stderr


def test_heartbeat_shows_in_terminals(portal_server: PortalServer) -> None:
    quiet = portal_server.enroll(name="溪源镇便民服务中心")
    busy = portal_server.enroll(name="青山村村委会大厅")
    heartbeat = {
        "terminal_id": busy["terminal_id"], "app_version": "0.1.0", "generations": {COUNTY: 7, "990000000000": 3},
        "last_sync": STAMP, "last_sync_error": None, "outbox_backlog": 2, "disk_free_bytes": 10**10,
        "printer": {"state": "ready", "reasons": []}, "uptime_s": 3600,
    }
    response = post(portal_server, busy["token"], "hb-1", {"kind": "heartbeat", "created_at": STAMP, "payload": heartbeat, "sealed": None})
    assert response.status_code == 201
    rows = {row["terminal_id"]: row for row in json.loads(portal_server.cli("terminals", "--json").stdout)}
    assert rows[busy["terminal_id"]]["generations"] == {COUNTY: 7, "990000000000": 3}
    assert rows[busy["terminal_id"]]["last_heartbeat_at"] is not None and rows[busy["terminal_id"]]["stale_zh"] == "刚刚"
    assert rows[busy["terminal_id"]]["outbox_backlog"] == 2
    assert rows[quiet["terminal_id"]]["last_heartbeat_at"] is None and rows[quiet["terminal_id"]]["stale_en"] == "never"
    text = portal_server.cli("terminals").stdout
    busy_line = next(line for line in text.splitlines() if busy["terminal_id"] in line)
    assert "青山村村委会大厅" in busy_line and "刚刚" in busy_line and f"{COUNTY}:7" in busy_line and "正常" in busy_line
    quiet_line = next(line for line in text.splitlines() if quiet["terminal_id"] in line)
    assert "从未" in quiet_line and "never" in quiet_line
    portal_server.cli("revoke", quiet["terminal_id"])
    assert "已停用" in next(line for line in portal_server.cli("terminals").stdout.splitlines() if quiet["terminal_id"] in line)


def test_a_sealed_request_is_opened_only_with_decrypt(portal_server: PortalServer) -> None:
    terminal = portal_server.enroll()
    request = {"applicant": "李四华", "phone": "13812345678", "content": "申请公开2026年耕地地力保护补贴发放明细", "delivery": "自行领取"}
    box = SealedBox(PublicKey(base64.b64decode(terminal["portal_public_key"])))
    sealed = base64.b64encode(box.encrypt(json.dumps(request, ensure_ascii=False).encode())).decode()
    body = {"kind": "request", "created_at": STAMP, "payload": {"form": "disclosure_request"}, "sealed": sealed}
    assert post(portal_server, terminal["token"], "req-1", body).status_code == 201
    assert post(portal_server, terminal["token"], "rate-1", {"kind": "rating", "created_at": STAMP, "payload": {"stars": 4}}).status_code == 201

    plain = portal_server.cli("inbox", "--kind", "request").stdout
    assert "req-1" in plain and "李四华" not in plain and "--decrypt" in plain
    items = json.loads(portal_server.cli("inbox", "--kind", "request", "--decrypt", "--json").stdout)
    assert [item["key"] for item in items] == ["req-1"]
    assert items[0]["opened"] == request and items[0]["terminal_id"] == terminal["terminal_id"]
    opened = portal_server.cli("inbox", "--decrypt").stdout
    assert "李四华" in opened and "rate-1" in opened
    assert len(json.loads(portal_server.cli("inbox", "--json").stdout)) == 2
    assert portal_server.cli("inbox", "--kind", "complaint", check=False).returncode == 2


def test_decrypt_with_another_portals_key_fails_loudly(portal_server: PortalServer, tmp_path: Path) -> None:
    terminal = portal_server.enroll()
    box = SealedBox(PublicKey(base64.b64decode(terminal["portal_public_key"])))
    sealed = base64.b64encode(box.encrypt(b'{"applicant": "x"}')).decode()
    assert post(portal_server, terminal["token"], "req-1", {"kind": "request", "created_at": STAMP, "payload": None, "sealed": sealed}).status_code == 201
    other = subprocess.run([sys.executable, "-m", "sync.portal.cli", "--db", portal_server.db_url, "--state-dir", str(tmp_path / "other"), "keygen"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert other.returncode == 0 and other.stdout.strip() != terminal["portal_public_key"]
    result = subprocess.run([sys.executable, "-m", "sync.portal.cli", "--db", portal_server.db_url, "--state-dir", str(tmp_path / "other"),
                             "inbox", "--decrypt"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "无法解密" in result.stdout and "could not be opened" in result.stderr


def test_keygen_revoke_and_exit_codes(portal_server: PortalServer) -> None:
    terminal = portal_server.enroll()
    assert portal_server.cli("keygen").stdout.strip() == terminal["portal_public_key"]  # the existing key, not a new one
    assert portal_server.cli("revoke", "t-doesnotexist", check=False).returncode == 1
    assert "已停用" in portal_server.cli("revoke", terminal["terminal_id"]).stdout
    assert "早已停用" in portal_server.cli("revoke", terminal["terminal_id"]).stdout
    assert portal_server.cli("bogus", check=False).returncode == 2  # argparse's own usage error


def test_serve_prints_the_port_it_picked_and_stops_on_sigterm(tmp_path: Path) -> None:
    feed, state = tmp_path / "feed", tmp_path / "state"
    missing = subprocess.run([sys.executable, "-m", "sync.portal.cli", "--state-dir", str(state), "serve", "--feed", str(feed)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    feed.mkdir()
    (feed / "metadata").mkdir()
    (feed / "metadata" / "hello.txt").write_text("hi")
    process = subprocess.Popen([sys.executable, "-m", "sync.portal.cli", "--state-dir", str(state), "serve", "--feed", str(feed), "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match and match.group(1) != "0", line
        assert requests.get(f"{match.group(0)}feed/metadata/hello.txt", timeout=10).text == "hi"
        assert (state / "portal.sqlite").exists() and (state / "portal_box.key").exists()
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0
