"""Settings from the environment (prefix HIMDESK_), passed explicitly, never a global."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_FIELD_KEY = "demo-only-field-key-never-use-for-real-patients"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIMDESK_", extra="ignore")

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
