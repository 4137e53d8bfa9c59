"""Seal personal data to the portal's public key before it touches the terminal's disk.

A libsodium sealed box (X25519 + XSalsa20-Poly1305, PyNaCl ``SealedBox``): the terminal can
encrypt but never decrypt, so a stolen kiosk or a copied data folder reveals nothing of what
people submitted. Only the portal, holding the private key, opens it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from kiosk.errors import KioskError


class SealingError(KioskError, ValueError):
    """No usable portal key, or a box that does not open with the given private key."""


def canonical_json(value: Any) -> str:
    """One text per value (sorted keys, no spaces), so equal bodies compare equal byte for byte."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def public_key_from_b64(key_b64: str) -> PublicKey:
    try:
        raw = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise SealingError("portal public key is not base64") from exc
    if len(raw) != PublicKey.SIZE:
        raise SealingError(f"portal public key must be {PublicKey.SIZE} bytes (found {len(raw)})")
    return PublicKey(raw)


def seal(payload: dict[str, Any], portal_public_key_b64: str) -> str:
    """Sealed box of the payload's canonical JSON, as base64 text."""
    if not portal_public_key_b64:
        raise SealingError("没有门户公钥，个人信息不能保存 / no portal public key: personal data is never stored in the clear")
    box = SealedBox(public_key_from_b64(portal_public_key_b64))
    return base64.b64encode(box.encrypt(canonical_json(payload).encode("utf-8"))).decode("ascii")


def unseal(sealed_b64: str, private_key_b64: str) -> dict[str, Any]:
    """The portal's side (and tests'): open a sealed box with the private key."""
    try:
        key = PrivateKey(base64.b64decode(private_key_b64, validate=True))
        plain = SealedBox(key).decrypt(base64.b64decode(sealed_b64, validate=True))
    except (binascii.Error, ValueError, TypeError, CryptoError) as exc:
        raise SealingError(f"sealed data does not open with this key: {exc}") from exc
    value = json.loads(plain.decode("utf-8"))
    if not isinstance(value, dict):
        raise SealingError("sealed data is not a JSON object")
    return value
