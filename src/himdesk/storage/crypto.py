"""AES-GCM encryption of sensitive fields (SSN) at rest, under a ring of keys.

A value is sealed as `0x02 | key id (4 bytes) | nonce (12) | ciphertext+tag`, the header
authenticated with the value, so several keys can be live during a rotation: writes use the
current key, reads pick the key named by the value. Values from before key ids existed
(`0x01 | nonce | ciphertext+tag`) are still read, by trying each key in the ring.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

LEGACY_FORMAT = b"\x01"
KEYED_FORMAT = b"\x02"
LEGACY_KEY_ID = "legacy"
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
PREFIX_BYTES = 1 + _KEY_ID_BYTES
"""How many leading bytes of a keyed value name its key (the format byte and the key id)."""


class FieldKeyError(Exception):
    """A stored value cannot be read with the configured keys. Names key ids, never values."""


def key_bytes(secret: str) -> bytes:
    """A urlsafe-base64 key of 32 bytes as is, or a key derived from a passphrase."""
    try:
        raw = base64.urlsafe_b64decode(secret.encode() + b"==")
        if len(raw) == 32:
            return raw
    except ValueError:
        pass
    return hashlib.sha256(b"himdesk-field-key:" + secret.encode()).digest()


def key_id_of_key(key: bytes) -> str:
    """A short public name for a key (a hash of it), so values can say which key sealed them."""
    return hashlib.sha256(b"himdesk-field-key-id:" + key).digest()[:_KEY_ID_BYTES].hex()


class FieldCipher:
    """Encrypts short values with the current 256-bit key; reads under any key in the ring."""

    def __init__(self, key: bytes, retired: Sequence[bytes] = ()) -> None:
        self._keys: dict[str, AESGCM] = {}
        for k in (key, *retired):
            if len(k) != 32:
                raise ValueError("a field-encryption key must be 32 bytes")
            key_id = key_id_of_key(k)
            if key_id in self._keys:
                raise ValueError(f"field key {key_id} is configured twice; list each key once")
            self._keys[key_id] = AESGCM(k)
        self.current_key_id = key_id_of_key(key)
        self.current_prefix = KEYED_FORMAT + bytes.fromhex(self.current_key_id)

    @classmethod
    def from_secret(cls, secret: str, retired: Sequence[str] = ()) -> FieldCipher:
        return cls(key_bytes(secret), [key_bytes(s) for s in retired])

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every key the ring can read, the current one first."""
        return tuple(self._keys)

    def digests(self, value: str, purpose: bytes) -> list[str]:
        """'<key id>:<hex>' keyed digests of `value` under every key, the current key's first.

        For finding an encrypted value by equality (an SSN on import) without storing it in
        the clear. Each key's digest key is AES-GCM over a fixed block: only the field key can
        produce it, and it reveals nothing about the field key.
        """
        found = []
        for key_id, aead in self._keys.items():
            digest_key = aead.encrypt(b"\x00" * 12, purpose, b"keyed-digest")
            mac = hmac.new(digest_key, value.encode(), hashlib.sha256).hexdigest()
            found.append(f"{key_id}:{mac}")
        return found

    def encrypt(self, plaintext: str, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        aead = self._keys[self.current_key_id]
        header = self.current_prefix
        return header + nonce + aead.encrypt(nonce, plaintext.encode(), header + context)

    def decrypt(self, blob: bytes, context: bytes) -> str:
        if blob[:1] == LEGACY_FORMAT:
            return self._decrypt_legacy(blob, context)
        if blob[:1] != KEYED_FORMAT:
            raise FieldKeyError("the value is in an unknown encrypted-field format")
        key_id = self.key_id_of(blob)
        aead = self._keys.get(key_id)
        if aead is None:
            raise FieldKeyError(
                f"the value was encrypted with key id {key_id}, which is not configured: add "
                "that key to HIMDESK_FIELD_KEYS_RETIRED (or HIMDESK_FIELD_KEYS_RETIRED_FILE)"
            )
        header, nonce, sealed = _split(blob, PREFIX_BYTES)
        try:
            return aead.decrypt(nonce, sealed, header + context).decode()
        except InvalidTag:
            raise FieldKeyError(
                f"a value under key id {key_id} failed authentication: it was altered, "
                "or copied from another field"
            ) from None

    def key_id_of(self, blob: bytes) -> str:
        """The key id a stored value names ('legacy' for values from before key ids)."""
        return key_id_of_prefix(blob[:PREFIX_BYTES])

    def _decrypt_legacy(self, blob: bytes, context: bytes) -> str:
        _header, nonce, sealed = _split(blob, 1)
        for aead in self._keys.values():
            try:
                return aead.decrypt(nonce, sealed, context).decode()
            except InvalidTag:
                continue
        raise FieldKeyError(
            "a value from before key ids (format 1) opens with none of the configured keys: "
            "add the key it was written with to HIMDESK_FIELD_KEYS_RETIRED"
        )


def key_id_of_prefix(prefix: bytes) -> str:
    """The key id in a value's first PREFIX_BYTES bytes ('legacy' for format 1)."""
    if prefix[:1] == KEYED_FORMAT and len(prefix) == PREFIX_BYTES:
        return prefix[1:].hex()
    if prefix[:1] == LEGACY_FORMAT:
        return LEGACY_KEY_ID
    raise FieldKeyError("the value is in an unknown encrypted-field format")


def _split(blob: bytes, header_length: int) -> tuple[bytes, bytes, bytes]:
    nonce_end = header_length + _NONCE_BYTES
    return blob[:header_length], blob[header_length:nonce_end], blob[nonce_end:]
