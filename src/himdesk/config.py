"""Settings from the environment (prefix HIMDESK_), passed explicitly, never a global."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from himdesk.domain.rule_book import InvalidRuleBook, RuleBook, rule_book_from
from himdesk.storage.crypto import key_bytes, key_id_of_key

DEMO_FIELD_KEY = "demo-only-field-key-never-use-for-real-patients"
DEMO_AUDIT_KEY = "demo-only-audit-key-never-use-for-real-patients"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIMDESK_", extra="ignore")
    _retired: tuple[str, ...] = PrivateAttr(default=())

    database_url: str = Field(
        default="sqlite:///var/himdesk.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql://user:pass@host/db",
    )
    field_key: str = Field(
        default=DEMO_FIELD_KEY,
        description="Key that encrypts SSNs at rest: 32 bytes urlsafe-base64, or a passphrase",
    )
    field_key_file: Path | None = Field(
        default=None, description="File holding the field key (preferred over field_key)"
    )
    field_keys_retired: str = Field(
        default="",
        description="Earlier field keys, comma-separated: still read, never written (rotation)",
    )
    field_keys_retired_file: Path | None = Field(
        default=None, description="File of earlier field keys, one a line (adds to the above)"
    )
    audit_key: str = Field(
        default=DEMO_AUDIT_KEY,
        description="Key that signs audit checkpoints (HMAC-SHA256): a long random value",
    )
    audit_key_file: Path | None = Field(
        default=None, description="File holding the audit key (preferred over audit_key)"
    )
    audit_checkpoint_every: int = Field(
        default=1000, ge=1, le=1_000_000, description="Sign an audit checkpoint every N events"
    )
    demo_mode: bool = Field(
        default=False, description="Allow the demo key; set by `make demo` only"
    )
    idle_timeout_minutes: int = Field(
        default=15, ge=1, le=240, description="Idle auto-logoff after this many minutes"
    )
    secure_cookies: bool = Field(
        default=False, description="Mark the session cookie Secure (set behind HTTPS)"
    )
    codeset_dir: Path | None = Field(
        default=None, description="Directory of official ICD-10-CM/PCS release files"
    )
    completeness_rules: Path | None = Field(
        default=None,
        description="TOML file of the bylaws' completeness thresholds and disabled rules, "
        "per encounter class (see `himdesk chart rules`)",
    )
    _rule_book: RuleBook = PrivateAttr(default_factory=RuleBook)

    @model_validator(mode="after")
    def _read_completeness_rules(self) -> Settings:
        path = self.completeness_rules
        if path is not None:
            try:
                document = tomllib.loads(path.read_text())
            except OSError as err:
                reason = err.strerror or type(err).__name__
                raise ValueError(f"HIMDESK_COMPLETENESS_RULES {path}: {reason}") from err
            except tomllib.TOMLDecodeError as err:
                raise ValueError(f"HIMDESK_COMPLETENESS_RULES {path}: {err}") from err
            try:
                self._rule_book = rule_book_from(document, str(path))
            except InvalidRuleBook as err:
                raise ValueError(str(err)) from err
        return self

    @property
    def rule_book(self) -> RuleBook:
        return self._rule_book

    @model_validator(mode="after")
    def _refuse_demo_key_outside_demo(self) -> Settings:
        if self.field_key_file is not None:
            try:
                self.field_key = self.field_key_file.read_text().strip()
            except OSError as err:
                reason = err.strerror or type(err).__name__
                raise ValueError(f"HIMDESK_FIELD_KEY_FILE {self.field_key_file}: {reason}") from err
            if not self.field_key:
                raise ValueError(f"HIMDESK_FIELD_KEY_FILE {self.field_key_file} is empty")
        if self.field_key == DEMO_FIELD_KEY and not self.demo_mode:
            raise ValueError(
                "HIMDESK_FIELD_KEY (or HIMDESK_FIELD_KEY_FILE) must be set to a real key outside "
                "demo mode; the built-in demo key protects nothing."
            )
        return self

    @model_validator(mode="after")
    def _refuse_demo_audit_key_outside_demo(self) -> Settings:
        if self.audit_key_file is not None:
            try:
                self.audit_key = self.audit_key_file.read_text().strip()
            except OSError as err:
                reason = err.strerror or type(err).__name__
                raise ValueError(f"HIMDESK_AUDIT_KEY_FILE {self.audit_key_file}: {reason}") from err
            if not self.audit_key:
                raise ValueError(f"HIMDESK_AUDIT_KEY_FILE {self.audit_key_file} is empty")
        if not self.audit_key:
            raise ValueError("HIMDESK_AUDIT_KEY is empty")
        if self.audit_key == DEMO_AUDIT_KEY and not self.demo_mode:
            raise ValueError(
                "HIMDESK_AUDIT_KEY (or HIMDESK_AUDIT_KEY_FILE) must be set to a real key outside "
                "demo mode; the built-in demo key lets anyone forge audit checkpoints."
            )
        return self

    @model_validator(mode="after")
    def _read_retired_keys(self) -> Settings:
        retired = [k.strip() for k in self.field_keys_retired.split(",") if k.strip()]
        if self.field_keys_retired_file is not None:
            retired += _key_lines(self.field_keys_retired_file)
        current = key_id_of_key(key_bytes(self.field_key))
        if any(key_id_of_key(key_bytes(k)) == current for k in retired):
            raise ValueError(
                f"the current field key {current} is also listed as retired; list only the "
                "earlier keys in HIMDESK_FIELD_KEYS_RETIRED(_FILE)"
            )
        self._retired = tuple(dict.fromkeys(retired))
        return self

    @property
    def retired_field_keys(self) -> tuple[str, ...]:
        """Keys that values may still be encrypted under, until `himdesk keys rotate` ends."""
        return self._retired


def _key_lines(path: Path) -> list[str]:
    """One key a line; blank lines and `#` comments are skipped."""
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise ValueError(f"HIMDESK_FIELD_KEYS_RETIRED_FILE {path}: {reason}") from err
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
