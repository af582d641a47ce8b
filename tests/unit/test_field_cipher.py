"""The field-key ring: values name their key id; writes use the current key, reads any key."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from himdesk.config import Settings
from himdesk.storage.crypto import FieldCipher, FieldKeyError, key_bytes, key_id_of_key

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))
SSN = b"patient.ssn"


def _legacy(key: bytes, plaintext: str) -> bytes:
    """A value as the first release wrote it: 0x01 | nonce | ciphertext, no key id."""
    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), SSN)


def test_a_value_names_the_key_it_was_sealed_with() -> None:
    cipher = FieldCipher(KEY_A)
    sealed = cipher.encrypt("123-45-6789", SSN)
    assert sealed[:1] == b"\x02"
    assert cipher.key_id_of(sealed) == key_id_of_key(KEY_A) == cipher.current_key_id
    assert cipher.decrypt(sealed, SSN) == "123-45-6789"


def test_writes_use_the_current_key_and_reads_find_a_retired_one() -> None:
    under_a = FieldCipher(KEY_A).encrypt("123-45-6789", SSN)
    ring = FieldCipher(KEY_B, retired=[KEY_A])
    assert ring.decrypt(under_a, SSN) == "123-45-6789"
    assert ring.key_id_of(ring.encrypt("987-65-4321", SSN)) == key_id_of_key(KEY_B)
    assert ring.key_ids == (key_id_of_key(KEY_B), key_id_of_key(KEY_A))


def test_a_value_under_a_key_not_configured_names_the_key_id_and_not_the_value() -> None:
    under_a = FieldCipher(KEY_A).encrypt("123-45-6789", SSN)
    with pytest.raises(FieldKeyError) as refused:
        FieldCipher(KEY_B).decrypt(under_a, SSN)
    assert f"key id {key_id_of_key(KEY_A)}" in str(refused.value)
    assert "HIMDESK_FIELD_KEYS_RETIRED" in str(refused.value)
    assert "6789" not in str(refused.value)


def test_legacy_values_are_read_with_whichever_configured_key_opens_them() -> None:
    legacy = _legacy(KEY_A, "123-45-6789")
    assert FieldCipher(KEY_A).decrypt(legacy, SSN) == "123-45-6789"
    assert FieldCipher(KEY_B, retired=[KEY_A]).decrypt(legacy, SSN) == "123-45-6789"
    assert FieldCipher(KEY_A).key_id_of(legacy) == "legacy"
    with pytest.raises(FieldKeyError, match="format 1"):
        FieldCipher(KEY_B).decrypt(legacy, SSN)


def test_a_value_moved_to_another_field_fails_authentication() -> None:
    cipher = FieldCipher(KEY_A)
    with pytest.raises(FieldKeyError, match="failed authentication"):
        cipher.decrypt(cipher.encrypt("123-45-6789", SSN), b"user.totp")


def test_the_same_key_twice_in_the_ring_is_refused() -> None:
    with pytest.raises(ValueError, match="configured twice"):
        FieldCipher(KEY_A, retired=[KEY_A])


def test_a_passphrase_and_a_base64_key_both_make_32_byte_keys() -> None:
    assert len(key_bytes("correct horse battery staple")) == 32
    assert key_bytes("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8") == KEY_A


def test_retired_keys_come_from_the_setting_and_the_key_file(tmp_path) -> None:
    key_file = tmp_path / "retired.keys"
    key_file.write_text("# rotated out 2026-11\nold-passphrase-two\n\n")
    settings = Settings(
        demo_mode=True,
        field_keys_retired="old-passphrase-one, old-passphrase-two",
        field_keys_retired_file=key_file,
    )
    assert settings.retired_field_keys == ("old-passphrase-one", "old-passphrase-two")


def test_the_current_key_listed_as_retired_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="also listed as retired"):
        Settings(demo_mode=True, field_key="the-new-key", field_keys_retired="old-key,the-new-key")


def test_a_missing_retired_key_file_is_named() -> None:
    with pytest.raises(ValueError, match="nowhere.keys"):
        Settings(demo_mode=True, field_keys_retired_file="/nonexistent/nowhere.keys")
