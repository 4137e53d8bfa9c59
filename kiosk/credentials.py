"""What enrolment gave this terminal: its id, bearer token and the portal's public key.

Kept in ``credentials.json`` in the data folder, readable by the kiosk's user only (mode 0600),
because the token lets anyone submit as this terminal. Written atomically: a power cut during
enrolment leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.files import write_atomic

FILE_NAME = "credentials.json"


class CredentialsError(KioskError, ValueError):
    """credentials.json exists but cannot be used (the terminal must be enrolled again)."""


@dataclass(frozen=True)
class Credentials:
    terminal_id: str
    token: str
    portal_url: str
    feed_url: str
    portal_public_key: str  # base64 X25519 key: personal data is sealed to it
    region: str
    name: str

    def __repr__(self) -> str:  # the token must not end up in logs
        return f"Credentials(terminal_id={self.terminal_id!r}, portal_url={self.portal_url!r}, region={self.region!r}, token='***')"


def credentials_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def load_credentials(data_dir: Path) -> Credentials | None:
    """The saved credentials, or None if this terminal was never enrolled."""
    path = credentials_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CredentialsError(f"{path}: not valid JSON ({exc}); enrol the terminal again") from exc
    names = [field.name for field in fields(Credentials)]
    if not isinstance(data, dict) or any(not isinstance(data.get(name), str) for name in names):
        missing = [name for name in names if not isinstance(data, dict) or not isinstance(data.get(name), str)]
        raise CredentialsError(f"{path}: missing or non-text fields {', '.join(missing)}; enrol the terminal again")
    return Credentials(**{name: data[name] for name in names})


def save_credentials(data_dir: Path, creds: Credentials) -> Path:
    """Write credentials.json atomically with mode 0600 (the temporary file is 0600 from the start)."""
    path = credentials_path(data_dir)
    write_private_json(path, asdict(creds))
    return path


def write_private_json(path: Path, data: object) -> None:
    """Atomic JSON write with mode 0600 (the temporary file is 0600 from the start; kiosk/files.py)."""
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), mode=0o600)
