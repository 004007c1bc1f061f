"""Typed settings read from the environment (and an optional `.env` file).

Every part of the product reads its configuration here and nowhere else.
Per-tenant configuration (mappings, schedules, Genius URLs) lives in the
database, never in environment variables.

`APP_ENV=development` may run on generated secrets and the sandboxes;
`APP_ENV=production` refuses to start when a secret is missing or a sandbox
address is configured (see `check_production`).
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parents[1]
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _env(prefix: str = "") -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=ROOT_DIR / ".env",
        extra="ignore",
    )


class HubSpotSettings(BaseSettings):
    """The HubSpot app: its OAuth credentials and where HubSpot lives."""

    model_config = _env("HUBSPOT_")

    client_id: str = "sandbox-client-id"
    client_secret: SecretStr = SecretStr("sandbox-client-secret")
    app_id: str = "777001"
    api_base: str = "https://api.hubapi.com"
    auth_base: str = "https://app.hubspot.com"
    # The date-versioned OAuth paths; the v1 ones stop working in February 2027.
    oauth_version: str = "2026-03"
    required_scopes: str = (
        "oauth crm.objects.deals.read crm.objects.deals.write "
        "crm.objects.companies.read crm.objects.companies.write "
        "crm.objects.line_items.read crm.objects.line_items.write "
        "crm.schemas.deals.write crm.schemas.companies.write"
    )
    optional_scopes: str = "crm.objects.products.read"
    general_limit_per_10s: int = 110
    search_limit_per_s: int = 5
    timeout_s: float = 30.0


class GeniusSettings(BaseSettings):
    """Defaults for Genius ERP connections; each tenant sets its own URL and key."""

    model_config = _env("GENIUS_")

    requests_per_s: float = 10.0
    timeout_s: float = 30.0
    # Hosts a tenant may use although they resolve to private addresses
    # (self-hosted installations reached through a VPN), comma-separated.
    allowed_private_hosts: str = ""


class SandboxSettings(BaseSettings):
    """The local simulators of HubSpot and Genius ERP (development only)."""

    model_config = _env("SANDBOX_")

    enabled: bool = True
    host: str = "127.0.0.1"
    hubspot_port: int = 8101
    genius_port: int = 8102


class Settings(BaseSettings):
    """All settings; `get_settings()` returns the process-wide instance."""

    model_config = _env()

    app_env: Literal["development", "production"] = "development"
    data_dir: Path = ROOT_DIR / "data"
    database_url: str = ""
    redis_url: str = ""
    embedded_redis_port: int = 6390
    # Where HubSpot and browsers reach us; by default this machine on APP_PORT.
    public_url: str = ""
    app_port: int = 3000
    secret_key: SecretStr = SecretStr("")
    # Fernet keys, comma-separated, newest first: the first encrypts, all decrypt.
    encryption_keys: SecretStr = SecretStr("")
    operator_email: str = "operator@example.com"
    operator_password: SecretStr = SecretStr("")
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    uninstall_retention_days: int = 30

    hubspot: HubSpotSettings = Field(default_factory=HubSpotSettings)
    genius: GeniusSettings = Field(default_factory=GeniusSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        # A relative DATA_DIR (DATA_DIR=data-2) lives in the checkout, wherever
        # the command runs from; an empty one means the default.
        if not str(self.data_dir).strip() or str(self.data_dir) == ".":
            self.data_dir = ROOT_DIR / "data"
        elif not self.data_dir.is_absolute():
            self.data_dir = ROOT_DIR / self.data_dir
        if not self.public_url:
            self.public_url = f"http://localhost:{self.app_port}"
        self.public_url = self.public_url.rstrip("/")
        return self

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'connector.db'}"

    @property
    def sandbox_hubspot_url(self) -> str:
        return f"http://{self.sandbox.host}:{self.sandbox.hubspot_port}"

    @property
    def sandbox_genius_url(self) -> str:
        return f"http://{self.sandbox.host}:{self.sandbox.genius_port}"

    @property
    def json_logs(self) -> bool:
        if self.log_format == "auto":
            return self.is_production
        return self.log_format == "json"


class ConfigurationError(RuntimeError):
    """The environment cannot run the product; the message says what to set."""


def check_production(settings: Settings) -> None:
    """Refuse production settings that miss a secret or point at a sandbox."""
    problems = []
    required = {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEYS": settings.encryption_keys,
        "HUBSPOT_CLIENT_SECRET": settings.hubspot.client_secret,
        "OPERATOR_PASSWORD": settings.operator_password,
    }
    for name, value in required.items():
        if not value.get_secret_value():
            problems.append(f"{name} is not set")
    if settings.hubspot.client_secret.get_secret_value() == "sandbox-client-secret":
        problems.append("HUBSPOT_CLIENT_SECRET is the sandbox's secret")
    if settings.hubspot.client_id == "sandbox-client-id":
        problems.append("HUBSPOT_CLIENT_ID is not set (still the sandbox's id)")
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not getattr(settings, name.lower()):
            problems.append(f"{name} is not set (production uses no embedded default)")
    for name, url in (
        ("HUBSPOT_API_BASE", settings.hubspot.api_base),
        ("HUBSPOT_AUTH_BASE", settings.hubspot.auth_base),
    ):
        parts = urlsplit(url)
        if parts.scheme != "https" or (parts.hostname or "") in LOOPBACK_HOSTS:
            problems.append(f"{name}={url!r} is a sandbox or non-https address")
    if settings.sandbox.enabled:
        problems.append("SANDBOX_ENABLED is true; set SANDBOX_ENABLED=false")
    if problems:
        raise ConfigurationError(
            "APP_ENV=production refuses to start: " + "; ".join(problems) + "."
        )


def _dev_secret(settings: Settings, name: str, make: callable) -> str:
    """A development secret generated once and kept under `data/`."""
    path = settings.data_dir / "secrets" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def fill_development_secrets(settings: Settings) -> None:
    """Give a development machine stable secrets without any set-up."""
    if not settings.secret_key.get_secret_value():
        key = _dev_secret(settings, "secret_key", lambda: secrets.token_urlsafe(32))
        settings.secret_key = SecretStr(key)
    if not settings.encryption_keys.get_secret_value():
        key = _dev_secret(
            settings, "encryption_key", lambda: Fernet.generate_key().decode()
        )
        settings.encryption_keys = SecretStr(key)
    if not settings.operator_password.get_secret_value():
        settings.operator_password = SecretStr("demo-operator")


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if settings.is_production:
        check_production(settings)
    else:
        fill_development_secrets(settings)
    # In development the sandboxes stand in for HubSpot unless told otherwise.
    uses_real_hubspot = settings.hubspot.api_base == "https://api.hubapi.com"
    if settings.sandbox.enabled and not settings.is_production and uses_real_hubspot:
        settings.hubspot.api_base = settings.sandbox_hubspot_url
        settings.hubspot.auth_base = settings.sandbox_hubspot_url
    return settings
