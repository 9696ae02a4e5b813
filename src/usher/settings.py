"""Settings: built once at the edge (CLI or test) and passed down. The only module that reads the environment."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ALL_DIALECTS = ("native", "m3o", "authc1", "userservice", "userstore", "wekan")


class _TomlSource(PydanticBaseSettingsSource):
    """Values from the TOML file named by USHER_CONFIG (keys without the USHER_ prefix, lower case)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = os.environ.get("USHER_CONFIG")
        self._data: dict[str, Any] = tomllib.loads(Path(path).read_text()) if path else {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="USHER_", extra="ignore", frozen=True, hide_input_in_errors=True)

    database_url: str = Field(default="sqlite:///./usher.db", repr=False)  # may carry a password
    redis_url: SecretStr | None = None
    smtp_url: SecretStr | None = None
    mail_from: str = "usher <no-reply@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    env: Literal["dev", "prod", "test"] = "dev"
    dialects: tuple[str, ...] = ALL_DIALECTS
    root_dialect: str | None = None
    # Dialects whose requests name no app serve the one named here (SPEC §1).
    wekan_app: str = "default"
    userservice_app: str = "default"
    trusted_proxies: tuple[str, ...] = ()
    secret_key: SecretStr | None = None
    allow_insecure_public_url: bool = False
    # One line per request on `usher.access` (method, path, status, time, request id). Off saves about a tenth
    # of a session check's cost where a proxy in front logs requests already.
    access_log: bool = True

    # OWASP's argon2id minimum: 19 MiB, two passes, one lane.
    argon2_time_cost: int = Field(default=2, ge=1, le=20)
    argon2_memory_kib: int = Field(default=19456, ge=8, le=4 * 1024 * 1024)
    argon2_parallelism: int = Field(default=1, ge=1, le=16)
    hash_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    hash_queue: int = Field(default=256, ge=1, le=100_000)
    # How far below the event loop the hash threads run (Linux nice, 0-19): during a sign-in flood the loop
    # still answers session checks at once, while hashing takes every idle cycle.
    hash_niceness: int = Field(default=10, ge=0, le=19)

    # Abuse limits (attempts per window); see usher.core.limits.LimitPolicy for the windows.
    limit_signin_per_address: int = Field(default=30, ge=1)
    limit_signin_per_account: int = Field(default=10, ge=1)
    limit_signup_per_address: int = Field(default=20, ge=1)
    limit_code_per_address: int = Field(default=30, ge=1)
    limit_code_per_account: int = Field(default=10, ge=1)
    limit_mail_per_address: int = Field(default=20, ge=1)
    limit_mail_per_recipient: int = Field(default=5, ge=1)
    limit_refresh_per_address: int = Field(default=300, ge=1)

    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_timeout: float = Field(default=5.0, gt=0, le=120)

    @field_validator("dialects", "trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("dialects")
    @classmethod
    def _known_dialects(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - set(ALL_DIALECTS)
        if unknown:
            raise ValueError(f"unknown dialects {sorted(unknown)}; known: {', '.join(ALL_DIALECTS)}")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps://")  # never echo the value: it may hold a password
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def dialect_apps(self) -> dict[str, str]:
        return {"wekan": self.wekan_app, "userservice": self.userservice_app}

    def problems(self) -> list[str]:
        """Unsafe combinations that `USHER_ENV=prod` refuses to start with."""
        if self.env != "prod":
            return []
        found = []
        if self.smtp_url is None:
            found.append("USHER_SMTP_URL is required in prod (mail would only reach the local outbox)")
        if self.secret_key is None:
            found.append("USHER_SECRET_KEY is required in prod")
        if self.public_url.startswith("http://") and not self.allow_insecure_public_url:
            found.append("USHER_PUBLIC_URL must be https in prod (or set USHER_ALLOW_INSECURE_PUBLIC_URL=1)")
        return found
