"""The publisher's Ed25519 keys, one per TUF role, kept in a folder outside the served feed.

Root and targets keys are meant to live offline (a USB key in a safe); snapshot and timestamp keys
sit on the publishing machine so `resign-timestamp` can run from cron.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner, SSlibKey

from kiosk.errors import KioskError
from kiosk.files import write_atomic

ROLES: tuple[str, ...] = ("root", "targets", "snapshot", "timestamp")
ONLINE_ROLES: tuple[str, ...] = ("snapshot", "timestamp")


class KeyFileError(KioskError, RuntimeError):
    """A key file is missing or unreadable; nothing was signed."""


class KeyDir:
    """``<role>.pem`` (private, 0600) and ``<role>.pub.json`` per role; retired keys under ``retired/``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return all((self.path / f"{role}.pem").is_file() for role in ROLES)

    def generate(self, role: str) -> CryptoSigner:
        """A new key for ``role``; an existing one is moved to ``retired/`` first, never overwritten."""
        self.path.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path, 0o700)
        current = self.path / f"{role}.pem"
        if current.exists():
            retired = self.path / "retired"
            retired.mkdir(exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            for suffix in (".pem", ".pub.json"):
                old = self.path / f"{role}{suffix}"
                if old.exists():
                    os.replace(old, retired / f"{role}-{stamp}{suffix}")
        signer = CryptoSigner.generate_ed25519()
        write_atomic(current, signer.private_bytes, mode=0o600)
        (self.path / f"{role}.pub.json").write_text(
            json.dumps({"keyid": signer.public_key.keyid, **signer.public_key.to_dict()}, indent=1), encoding="utf-8"
        )
        return signer

    def signer(self, role: str) -> CryptoSigner:
        path = self.path / f"{role}.pem"
        try:
            private = load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise KeyFileError(f"cannot read the {role} key {path}: {exc}") from exc
        return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))
