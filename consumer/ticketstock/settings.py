"""The one settings object, read from ``TICKETSTOCK_*`` variables and an optional file.

Only this module reads the environment. The entry point builds :class:`Settings`
once and passes it down; every message about a bad value names the variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values
from pydantic import (
    AnyHttpUrl,
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from .errors import SettingsError

Role = Literal["tickets", "mail"]

ENV_PREFIX = "TICKETSTOCK_"


class Settings(BaseSettings):
    """Every knob of the service, with the defaults of a single-host install."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file_encoding="utf-8",
        # Other programs' variables may share a settings file; names with our prefix
        # are checked against the fields by load_settings().
        extra="ignore",
        frozen=True,
    )

    amqp_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    amqp_prefix: str = Field("ticketstock", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    ticket_prefetch: int = Field(16, ge=1, le=1000)
    mail_prefetch: int = Field(8, ge=1, le=1000)
    # RabbitMQ caps a message TTL at 2^32-1 ms (49 days); a tier is at most a day.
    retry_delays: tuple[int, ...] = Field((5, 30, 300), min_length=1, max_length=10)
    delivery_limit: int = Field(20, ge=2, le=1000)
    publish_timeout: float = Field(10.0, gt=0, le=300)
    # Longer than one Dolibarr call at its worst (attempts x timeout + backoff), so a
    # restart rarely leaves work for redelivery; each redelivery counts towards
    # DELIVERY_LIMIT.
    shutdown_timeout: float = Field(60.0, gt=0, le=3600)

    dolibarr_url: AnyHttpUrl | None = None
    dolibarr_api_key: SecretStr | None = None
    dolibarr_timeout: float = Field(10.0, gt=0, le=300)
    dolibarr_max_concurrency: int = Field(8, ge=1, le=256)
    dolibarr_attempts: int = Field(3, ge=1, le=10)
    config_cache_ttl: float = Field(60.0, ge=0, le=86400)
    track_id_secret: SecretStr | None = None

    mail_backend: Literal["smtp", "console", "folder"] = "smtp"
    mail_folder: Path = Path("var/mail")
    mail_from: EmailStr = "ticketstock@localhost.localdomain"
    mail_from_name: str = Field("TicketStock", max_length=100)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(30.0, gt=0, le=300)
    smtp_ca_file: Path | None = None  # trust this CA bundle instead of the system's

    ledger: Literal["sqlite", "redis"] = "sqlite"
    ledger_path: Path = Path("var/sent-ledger.sqlite3")
    redis_url: SecretStr | None = None
    ledger_claim_ttl: int = Field(300, ge=10, le=86400)

    http_enabled: bool = True
    http_host: str = "127.0.0.1"
    http_port: int = Field(9464, ge=0, le=65535)  # 0: any free port
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("retry_delays")
    @classmethod
    def _delays_positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(delay <= 0 or delay > 86400 for delay in value):
            raise ValueError("every delay must be between 1 and 86400 seconds")
        return value

    @field_validator("amqp_url")
    @classmethod
    def _amqp_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError(
                "not a URL (percent-encode '#', '/', '?' or '@' in the password)"
            ) from None
        if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
            raise ValueError("must look like amqp://user:password@host:5672/vhost")
        return value

    @field_validator(
        "dolibarr_api_key", "track_id_secret", "smtp_password", "redis_url"
    )
    @classmethod
    def _not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("must not be empty (leave it unset instead)")
        return value

    @field_validator("mail_from_name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\r" in value or "\n" in value:
            raise ValueError("must be one line")
        return value

    @property
    def dolibarr_api_base(self) -> str:
        """Base URL of Dolibarr's REST API, without a trailing slash."""
        if self.dolibarr_url is None:
            raise SettingsError(f"{ENV_PREFIX}DOLIBARR_URL is not set")
        return str(self.dolibarr_url).rstrip("/") + "/api/index.php"

    def require(self, roles: set[Role]) -> None:
        """Fail with every missing setting named when the roles cannot run."""
        missing = []
        if "tickets" in roles:
            for name in ("dolibarr_url", "dolibarr_api_key", "track_id_secret"):
                if getattr(self, name) is None:
                    missing.append(ENV_PREFIX + name.upper())
        if "mail" in roles and self.ledger == "redis" and self.redis_url is None:
            missing.append(
                f"{ENV_PREFIX}REDIS_URL (needed by {ENV_PREFIX}LEDGER=redis)"
            )
        if (
            "mail" in roles
            and self.smtp_password is not None
            and not self.smtp_username
        ):
            missing.append(
                f"{ENV_PREFIX}SMTP_USERNAME (needed by {ENV_PREFIX}SMTP_PASSWORD)"
            )
        if missing:
            raise SettingsError("missing settings: " + ", ".join(missing))
        secret = self.track_id_secret
        if (
            "tickets" in roles
            and secret is not None
            and len(secret.get_secret_value()) < 16
        ):
            raise SettingsError(
                f"{ENV_PREFIX}TRACK_ID_SECRET must have 16 characters or more"
            )

    def describe(self) -> dict[str, object]:
        """The settings as safe to print: secrets masked, credentials cut from URLs."""
        shown: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                url_like = name.endswith("_url")
                shown[name] = (
                    redact_url(value.get_secret_value()) if url_like else "***"
                )
            elif isinstance(value, Path):
                shown[name] = str(value)
            else:
                shown[name] = (
                    value
                    if value is None
                    or isinstance(value, int | float | bool | str | tuple)
                    else str(value)
                )
        return shown


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else f"***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def load_settings(env_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings, turning every kind of bad value into one readable message."""
    _check_environment_names()
    try:
        if env_file is None:
            return Settings(**overrides)
        _check_file_names(env_file)
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            problems.append(f"{ENV_PREFIX}{field.upper()}: {error['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
    except PydanticSettingsError as exc:
        # Raised before validation, e.g. a list given as "5,30" instead of "[5,30]".
        raise SettingsError(f"invalid settings: {exc}") from None


# Variables of the project's own test suites, read by them and not by the service.
_NOT_SETTINGS = (ENV_PREFIX + "E2E_", ENV_PREFIX + "BENCH_")


def _check_environment_names() -> None:
    """Refuse a TICKETSTOCK_ environment variable that names no setting (a typo)."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    unknown = [
        name
        for name in os.environ
        if name.upper().startswith(ENV_PREFIX)
        and name.upper() not in known
        and not name.upper().startswith(_NOT_SETTINGS)
    ]
    if unknown:
        raise SettingsError(
            f"unknown settings in the environment: {', '.join(sorted(unknown))}"
        )


def _check_file_names(env_file: Path) -> None:
    """Refuse a settings file that is missing or names a setting that does not exist."""
    if not env_file.is_file():
        raise SettingsError(f"settings file not found: {env_file}")
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    unknown = [
        name
        for name in dotenv_values(env_file)
        if name.upper().startswith(ENV_PREFIX) and name.upper() not in known
    ]
    if unknown:
        raise SettingsError(
            f"{env_file}: unknown settings: {', '.join(sorted(unknown))}"
        )
