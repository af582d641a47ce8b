"""AES-GCM encryption of sensitive fields (SSN) at rest."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"


class FieldCipher:
    """Encrypts short values with a 256-bit key; each value gets its own random nonce."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the field-encryption key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_secret(cls, secret: str) -> FieldCipher:
        """Accepts a urlsafe-base64 key of 32 bytes, or derives one from a passphrase."""
        try:
            raw = base64.urlsafe_b64decode(secret.encode() + b"==")
            if len(raw) == 32:
                return cls(raw)
        except ValueError:
            pass
        return cls(hashlib.sha256(b"himdesk-field-key:" + secret.encode()).digest())

    def encrypt(self, plaintext: str, context: bytes) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode(), context)

    def decrypt(self, blob: bytes, context: bytes) -> str:
        if blob[:1] != _VERSION:
            raise ValueError("unknown encrypted-field format")
        nonce, sealed = blob[1:13], blob[13:]
        return self._aead.decrypt(nonce, sealed, context).decode()
