"""The portal's tables (terminals, enrolment codes, the upload inbox) and the sealed-box key pair.

The same models run on SQLite (WAL, busy timeout) and PostgreSQL, chosen by URL, so only portable
peewee features are used. Model classes are made per database (`open_db`) rather than bound to a
global: tests and benches run several portals in one process.

Times in the tables are naive UTC without microseconds, so they compare the same as text
(SQLite) and as timestamps (PostgreSQL). A terminal's own `created_at` is kept as sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

import peewee
from nacl.public import PrivateKey
from playhouse.db_url import connect

REGION_RE = re.compile(r"^[0-9]{12}$")  # ASCII digits only: \d also matches full-width and other scripts
# No 0/O, 1/I/L: codes are read off paper and typed on a touch keyboard.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 12 symbols of 31 are 59 bits: with the enrolment throttle (50 failures per 15 minutes for the whole
# portal) a guesser's chance against one 72-hour code is about 1 in 10^14. Typed as ABCD-EFGH-JKMN.
CODE_LENGTH = 12
CODE_GROUP = 4
BOX_KEY_FILE = "portal_box.key"
BOX_PUBLIC_FILE = "portal_box.pub"
# The HMAC key for enrolment codes: without it a copy of the database does not reveal a live code.
CODE_KEY_FILE = "enrolment_code.key"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_BUSY_TIMEOUT_S = 5.0
# synchronous=FULL: a 201 tells the terminal it may forget the item, so the commit must survive a power cut.
SQLITE_PRAGMAS = {"journal_mode": "wal", "synchronous": "full", "foreign_keys": 1}


def utcnow() -> datetime:
    """Naive UTC, whole seconds: the one time format stored in the tables."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def sha256_hex(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def ensure_private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can enter (0700), created if missing and tightened if looser.

    The portal's state folder holds the private keys and, by default, the database; 0755 (what a
    umask of 022 gives) let every local account read them.
    """
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def ensure_private_file(path: Path) -> None:
    """Create `path` empty as 0600 if missing, or tighten it to 0600: before SQLite opens it, so its WAL and SHM files
    (which SQLite creates with the database file's permissions) are private too."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE_MODE:
            os.chmod(path, PRIVATE_FILE_MODE)
    else:
        os.close(fd)


def write_private_key_file(path: Path, text: str) -> bool:
    """Write `text` to a new 0600 file; False if another process made it first (then read theirs)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    return True


def load_code_key(state_dir: Path, *, create: bool = True) -> bytes:
    """The portal's secret for enrolment-code HMACs (32 random bytes, file mode 0600), created on first use."""
    path = Path(state_dir) / CODE_KEY_FILE
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"no enrolment-code key at {path} (run `kiosk-portal keygen`)")
        ensure_private_dir(Path(state_dir))
        write_private_key_file(path, base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE_MODE:
        os.chmod(path, PRIVATE_FILE_MODE)
    raw = base64.b64decode(path.read_text().strip(), validate=True)
    if len(raw) != 32:
        raise ValueError(f"{path} must hold 32 bytes in base64 (found {len(raw)} bytes)")
    return raw


def code_digest(code_key: bytes, code: str) -> str:
    """What the database keeps of a code: HMAC-SHA256 under the portal's key, hex (column `code_sha256`).

    A plain sha256 of 40 bits was reversed by trying every code; without the key file the HMAC gives nothing.
    """
    return hmac.new(code_key, normalize_code(code).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class PortalDB:
    """One database connection (thread-local underneath) and the model classes bound to it."""

    db: peewee.Database
    url: str
    Terminal: Any
    EnrolmentCode: Any
    InboxItem: Any

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def is_sqlite(self) -> bool:
        return isinstance(self.db, peewee.SqliteDatabase)


def _define_models(db: peewee.Database) -> tuple[Any, Any, Any]:
    class Base(peewee.Model):
        class Meta:
            database = db

    class Terminal(Base):
        terminal_id = peewee.CharField(primary_key=True, max_length=32)
        name = peewee.CharField(max_length=200, default="")
        region = peewee.CharField(max_length=12)
        token_sha256 = peewee.CharField(max_length=64, unique=True)
        enrolled_at = peewee.DateTimeField()
        revoked_at = peewee.DateTimeField(null=True)
        last_heartbeat_at = peewee.DateTimeField(null=True)
        heartbeat = peewee.TextField(null=True)  # the last heartbeat payload, JSON
        last_ip = peewee.CharField(max_length=64, null=True)

        class Meta:
            table_name = "terminal"

    class EnrolmentCode(Base):
        id = peewee.AutoField()
        code_sha256 = peewee.CharField(max_length=64, unique=True)
        region = peewee.CharField(max_length=12)
        name = peewee.CharField(max_length=200, default="")
        created_at = peewee.DateTimeField()
        expires_at = peewee.DateTimeField()
        used_by = peewee.CharField(max_length=32, null=True)  # terminal_id once redeemed

        class Meta:
            table_name = "enrolment_code"

    class InboxItem(Base):
        id = peewee.AutoField()
        terminal = peewee.ForeignKeyField(Terminal, column_name="terminal_id", backref="inbox", on_delete="CASCADE", index=False)  # (terminal, key) covers it
        key = peewee.CharField(max_length=128)
        kind = peewee.CharField(max_length=16)
        body_sha256 = peewee.CharField(max_length=64)
        payload = peewee.TextField(null=True)  # JSON
        sealed = peewee.TextField(null=True)  # base64 sealed box, opened only by `kiosk-portal inbox --decrypt`
        created_at = peewee.CharField(max_length=64)  # the terminal's clock, as sent
        received_at = peewee.DateTimeField()

        class Meta:
            table_name = "inbox_item"
            indexes = (
                (("terminal", "key"), True),  # the permanent idempotency guarantee
                (("kind", "received_at"), False),
            )

    return Terminal, EnrolmentCode, InboxItem


def open_db(db_url: str) -> PortalDB:
    """Connect by URL (sqlite:///path, postgresql://…) and create missing tables."""
    parsed = urlparse(db_url)
    params: dict[str, Any] = {}
    if parsed.scheme.startswith("sqlite"):
        path = parsed.path[1:]
        if path and path != ":memory:":
            if not Path(path).parent.exists():
                ensure_private_dir(Path(path).parent)
            ensure_private_file(Path(path))  # tokens' hashes and every upload: 0600, and so its -wal and -shm
            for companion in (Path(path + "-wal"), Path(path + "-shm")):
                if companion.exists():
                    ensure_private_file(companion)
        # ?timeout=SECONDS in the URL sets how long a writer waits for the lock before the API answers 503.
        timeout = float(dict(parse_qsl(parsed.query)).get("timeout", SQLITE_BUSY_TIMEOUT_S))
        params["pragmas"] = {**SQLITE_PRAGMAS, "busy_timeout": int(timeout * 1000)}
        params["timeout"] = timeout
        # Writers take the lock when they start, so a waiting writer honours busy_timeout
        # instead of failing at once on a read-to-write upgrade.
        params["lock_type"] = "IMMEDIATE"
    db = connect(db_url, **params)
    terminal, code, inbox = _define_models(db)
    portal_db = PortalDB(db=db, url=db_url, Terminal=terminal, EnrolmentCode=code, InboxItem=inbox)
    with db.connection_context():
        db.create_tables([terminal, code, inbox], safe=True)
    return portal_db


def normalize_code(text: str) -> str:
    """What people type → what was hashed: case, spaces and dashes don't matter."""
    return re.sub(r"[\s\-]", "", text).upper()


def issue_enrolment_code(db: PortalDB, region: str, name: str, valid_hours: float = 72, *, code_key: bytes) -> str:
    """A one-time code such as ABCD-EFGH-JKMN; only its HMAC under `code_key` (`load_code_key`) is stored."""
    if not REGION_RE.match(region):
        raise ValueError(f"region must be a 12-digit 区划代码, got {region!r}")
    if valid_hours <= 0:
        raise ValueError(f"valid_hours must be positive, got {valid_hours!r}")
    if len(name.strip()) > 200 or any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name):
        raise ValueError("name must be at most 200 characters, without control characters")
    now = utcnow()
    with db.db.connection_context():
        for _ in range(5):
            raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                db.EnrolmentCode.create(code_sha256=code_digest(code_key, raw), region=region, name=name.strip(), created_at=now,
                                        expires_at=(now + timedelta(hours=valid_hours)).replace(microsecond=0))
            except peewee.IntegrityError:
                continue
            return "-".join(raw[i:i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))
    raise RuntimeError("could not draw an unused enrolment code")


def load_box_key(keys_dir: Path, *, create: bool = True) -> PrivateKey:
    """The portal's X25519 key for sealed boxes, created on first use (file 0600 in a 0700 folder)."""
    path = keys_dir / BOX_KEY_FILE
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"no portal key at {path} (run `kiosk-portal keygen`)")
        ensure_private_dir(keys_dir)
        key = PrivateKey.generate()
        if write_private_key_file(path, base64.b64encode(bytes(key)).decode() + "\n"):  # else another process made it first
            (keys_dir / BOX_PUBLIC_FILE).write_text(public_key_b64(key) + "\n")
    elif create:
        ensure_private_dir(keys_dir)  # a state folder an older portal left 0755
    raw = base64.b64decode(path.read_text().strip(), validate=True)
    if len(raw) != 32:
        raise ValueError(f"{path} does not hold a 32-byte X25519 private key")
    return PrivateKey(raw)


def public_key_b64(key: PrivateKey) -> str:
    return base64.b64encode(bytes(key.public_key)).decode()
