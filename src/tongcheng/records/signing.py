"""Signing tree heads and purges with Ed25519, so whoever can write to the database cannot also
rewrite the log's history unnoticed: a verifier holding the public key checks every head.

A key is a file: the private key in PKCS#8 PEM (``tongcheng records keygen FILE`` makes one,
readable by its owner only). The store takes it from ``--signing-key`` or the environment
variable ``TONGCHENG_RECORDS_KEY``; heads sealed without one are unsigned, and ``records verify``
says so. The public key of every key that signed is kept in the store for convenience, but a
verifier should bring its own copy (``--public-key``): a key found in the database proves only
what the database says.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = ["KEY_ENV", "Signer", "generate_key", "key_id", "load_public_key", "verify_signature"]

KEY_ENV = "TONGCHENG_RECORDS_KEY"


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_hex: str) -> str:
    """A short name for a public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


class Signer:
    """Signs with one private key."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_hex = _raw(private.public_key()).hex()
        self.key_id = key_id(self.public_hex)

    @classmethod
    def from_file(cls, path: str | Path) -> Signer:
        data = Path(path).read_bytes()
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except ValueError as e:
            raise ValueError(f"{path}: not a PEM private key ({e})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 key")
        return cls(key)

    @classmethod
    def from_env(cls) -> Signer | None:
        path = os.environ.get(KEY_ENV)
        return cls.from_file(path) if path else None

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()


def generate_key(path: str | Path) -> Signer:
    """Write a new private key to ``path`` (mode 0600; refuses to overwrite)."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return Signer(private)


def load_public_key(text: str) -> str:
    """A public key given as 64 hex digits, or a file holding them (or a PEM public or private
    key): its raw hex form."""
    candidate = text.strip()
    if len(candidate) == 64 and all(c in "0123456789abcdefABCDEF" for c in candidate):
        return candidate.lower()
    data = Path(candidate).read_bytes()
    stripped = data.strip()
    if len(stripped) == 64:
        return stripped.decode("ascii").lower()
    try:
        return _raw(serialization.load_pem_public_key(data)).hex()  # type: ignore[arg-type]
    except ValueError:
        return Signer.from_file(candidate).public_hex


def verify_signature(public_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), message)
        return True
    except (InvalidSignature, ValueError):
        return False
