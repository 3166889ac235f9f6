"""Settings read from the environment (or a mapping in tests), validated once at start."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import limits

from services_api.core.field_rules import country_setting, language_tag

ENVIRONMENTS = ("production", "development", "testing")
DEV_SECRET_FILE = "dev_secret_key"  # under the instance folder: the development secret


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """The validated settings the app runs with."""

    environment: str
    database_url: str
    secret_key: str
    stale_after_days: int
    hide_after_days: int
    cache_max_age: int
    default_per_page: int
    max_per_page: int
    max_request_bytes: int
    ratelimit_storage_uri: str
    trusted_proxy_count: int
    public_url: str
    auth_failure_limit: str
    report_limit: str
    geocoder: str
    nominatim_domain: str
    nominatim_scheme: str
    nominatim_user_agent: str
    geocoder_min_delay_seconds: float
    max_streams: int
    max_streams_per_client: int
    default_country: str
    default_language: str = "en"
    directory_countries: tuple[str, ...] = ()
    database_replica_urls: tuple[str, ...] = ()
    max_replica_lag_seconds: float = 5.0

    def as_flask_config(self) -> dict[str, Any]:
        """Return the settings as upper-case Flask config keys."""
        return {
            "ENVIRONMENT": self.environment,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.secret_key,
            "STALE_AFTER_DAYS": self.stale_after_days,
            "HIDE_AFTER_DAYS": self.hide_after_days,
            "CACHE_MAX_AGE": self.cache_max_age,
            "DEFAULT_PER_PAGE": self.default_per_page,
            "MAX_PER_PAGE": self.max_per_page,
            "MAX_CONTENT_LENGTH": self.max_request_bytes,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "TRUSTED_PROXY_COUNT": self.trusted_proxy_count,
            "PUBLIC_URL": self.public_url,
            "AUTH_FAILURE_LIMIT": self.auth_failure_limit,
            "REPORT_LIMIT": self.report_limit,
            "GEOCODER": self.geocoder,
            "NOMINATIM_DOMAIN": self.nominatim_domain,
            "NOMINATIM_SCHEME": self.nominatim_scheme,
            "NOMINATIM_USER_AGENT": self.nominatim_user_agent,
            "GEOCODER_MIN_DELAY_SECONDS": self.geocoder_min_delay_seconds,
            "MAX_STREAMS": self.max_streams,
            "MAX_STREAMS_PER_CLIENT": self.max_streams_per_client,
            "DEFAULT_COUNTRY": self.default_country,
            "DIRECTORY_COUNTRIES": self.directory_countries,
            "DATABASE_REPLICA_URLS": self.database_replica_urls,
            "MAX_REPLICA_LAG_SECONDS": self.max_replica_lag_seconds,
            "DEFAULT_LANGUAGE": self.default_language,
            "TESTING": self.environment == "testing",
        }


def load_settings(overrides: Mapping[str, Any] | None, *, instance_path: Path) -> Settings:
    """Build settings from the environment with `overrides` on top; raise ConfigError if invalid."""
    source: dict[str, Any] = {**os.environ, **(overrides or {})}
    environment = str(source.get("APP_ENV", "production")).strip().lower()
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    default_db = f"sqlite:///{instance_path / 'services_api.db'}"
    database_url = str(source.get("DATABASE_URL") or default_db)
    if not database_url.startswith(("sqlite:", "postgresql")):
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL")
    stale = _positive_int(source, "STALE_AFTER_DAYS", 180)
    hide = _positive_int(source, "HIDE_AFTER_DAYS", 365)
    if hide <= stale:
        raise ConfigError("HIDE_AFTER_DAYS must be greater than STALE_AFTER_DAYS")
    default_per_page = _positive_int(source, "DEFAULT_PER_PAGE", 25)
    max_per_page = _positive_int(source, "MAX_PER_PAGE", 100)
    if default_per_page > max_per_page:
        raise ConfigError("DEFAULT_PER_PAGE must not exceed MAX_PER_PAGE")
    return Settings(
        environment=environment,
        database_url=database_url,
        secret_key=_secret_key(source, environment, instance_path),
        stale_after_days=stale,
        hide_after_days=hide,
        cache_max_age=_positive_int(source, "CACHE_MAX_AGE", 300, allow_zero=True),
        default_per_page=default_per_page,
        max_per_page=max_per_page,
        max_request_bytes=_positive_int(source, "MAX_REQUEST_BYTES", 10 * 1024 * 1024),
        ratelimit_storage_uri=_limit_store(source, environment, instance_path),
        trusted_proxy_count=_trusted_proxy_count(source),
        public_url=_public_url(source),
        auth_failure_limit=_rate(source, "AUTH_FAILURE_LIMIT", "10/minute"),
        report_limit=_rate(source, "REPORT_LIMIT", "5/hour"),
        geocoder=_choice(source, "GEOCODER", ("gazetteer", "nominatim")),
        nominatim_domain=str(source.get("NOMINATIM_DOMAIN") or "nominatim.openstreetmap.org"),
        nominatim_scheme=_choice(source, "NOMINATIM_SCHEME", ("https", "http")),
        nominatim_user_agent=str(source.get("NOMINATIM_USER_AGENT") or "services_api"),
        geocoder_min_delay_seconds=_seconds(source, "GEOCODER_MIN_DELAY_SECONDS", 1.0),
        max_streams=_positive_int(source, "MAX_STREAMS", 4),
        max_streams_per_client=_positive_int(source, "MAX_STREAMS_PER_CLIENT", 2),
        default_country=_country(source, "DEFAULT_COUNTRY"),
        directory_countries=_countries(source, "DIRECTORY_COUNTRIES"),
        database_replica_urls=_replica_urls(source, database_url),
        max_replica_lag_seconds=_seconds(source, "MAX_REPLICA_LAG_SECONDS", 5.0),
        default_language=_language(source, "DEFAULT_LANGUAGE"),
    )


def _replica_urls(source: Mapping[str, Any], database_url: str) -> tuple[str, ...]:
    """Return the read replicas' URLs, given comma-separated; they need a PostgreSQL primary."""
    raw = source.get("DATABASE_REPLICA_URLS")
    parts = [str(part) for part in raw] if isinstance(raw, (list, tuple)) else str(raw or "").split(",")
    urls = tuple(part.strip() for part in parts if part.strip())
    if urls and not database_url.startswith("postgresql"):
        raise ConfigError("DATABASE_REPLICA_URLS needs DATABASE_URL to be PostgreSQL: SQLite has no replicas")
    bad = [url for url in urls if not url.startswith("postgresql")]
    if bad:
        raise ConfigError(
            "DATABASE_REPLICA_URLS must be postgresql+psycopg:// URLs separated by commas, "
            f"not {bad[0].split('@')[-1]!r}"
        )
    return urls


def _country(source: Mapping[str, Any], name: str) -> str:
    """Return the country phone numbers are read in when a listing has no address country ('' for none)."""
    value = str(source.get(name) or "").strip()
    if not value:
        return ""
    try:
        return country_setting(value)
    except ValueError as error:
        raise ConfigError(f"{name} {error}") from None


def _language(source: Mapping[str, Any], name: str) -> str:
    """Return the language listings' own text is in unless recorded otherwise (a BCP 47 tag; `en`)."""
    value = str(source.get(name) or "en").strip()
    try:
        return language_tag(value)
    except ValueError as error:
        raise ConfigError(f"{name} {error}") from None


def _countries(source: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """Return ISO 3166 country codes given comma-separated (`GB` or `GB,IE`); empty for none."""
    raw = source.get(name)
    parts = [str(part) for part in raw] if isinstance(raw, (list, tuple)) else str(raw or "").split(",")
    codes = tuple(dict.fromkeys(part.strip().upper() for part in parts if part.strip()))
    bad = [code for code in codes if len(code) != 2 or not code.isascii() or not code.isalpha()]
    if bad:
        raise ConfigError(
            f"{name} must be two-letter country codes separated by commas (GB,IE), not {bad[0]!r}"
        )
    return codes


def _limit_store(source: Mapping[str, Any], environment: str, instance_path: Path) -> str:
    """Return where rate-limit counters live: by default a file every worker of this machine shares.

    Tests get counters of their own per app (memory), so that one test's failures never limit another.
    """
    value = str(source.get("RATELIMIT_STORAGE_URI") or "").strip()
    if not value:
        return "memory://" if environment == "testing" else f"sqlite:///{instance_path / 'rate_limits.db'}"
    if value.startswith("sqlite:") and not value.removeprefix("sqlite:///"):
        raise ConfigError("RATELIMIT_STORAGE_URI needs a file: sqlite:////var/lib/services_api/limits.db")
    return value


def _trusted_proxy_count(source: Mapping[str, Any]) -> int:
    count = _positive_int(source, "TRUSTED_PROXY_COUNT", 0, allow_zero=True)
    if count > 5:
        raise ConfigError(
            f"TRUSTED_PROXY_COUNT is how many proxies stand in front of the API (0-5), not {count}"
        )
    return count


def _public_url(source: Mapping[str, Any]) -> str:
    """Return the address clients reach the API at (scheme, host, optional path), without a final slash."""
    value = str(source.get("PUBLIC_URL") or "").strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        valid = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and not (parts.query or parts.fragment)
            and (parts.port is None or parts.port > 0)
        )
    except ValueError:  # a malformed port or host
        valid = False
    if not valid:
        raise ConfigError(
            f"PUBLIC_URL must be an http(s) address like https://directory.example.org, not {value!r}"
        )
    return value.rstrip("/")


def _rate(source: Mapping[str, Any], name: str, default: str) -> str:
    value = str(source.get(name) or default)
    try:
        limits.parse(value)
    except ValueError:
        raise ConfigError(f"{name} must be a rate like '10/minute', not {value!r}") from None
    return value


def _choice(source: Mapping[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = str(source.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _seconds(source: Mapping[str, Any], name: str, default: float) -> float:
    raw = source.get(name)
    try:
        value = float(raw) if raw not in (None, "") else default
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 <= value < 3600:
        raise ConfigError(f"{name} must be between 0 and 3600 seconds")
    return value


def _positive_int(source: Mapping[str, Any], name: str, default: int, allow_zero: bool = False) -> int:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"{name} must be {'zero or more' if allow_zero else 'at least 1'}, not {value}")
    return value


def _secret_key(source: Mapping[str, Any], environment: str, instance_path: Path) -> str:
    key = str(source.get("SECRET_KEY") or "")
    if key:
        if environment == "production" and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return key
    if environment == "production":
        raise ConfigError(
            "SECRET_KEY is required in production: set it to a long random value, the same for the "
            "server and every flask command, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'. To work with the server "
            "`make run` starts, set APP_ENV=development instead: it reads the secret kept in "
            f"{instance_path / DEV_SECRET_FILE}"
        )
    if environment == "testing":
        return "testing-secret-key-not-for-production"
    return _development_secret(instance_path)


def other_development_secret(secret_key: str, instance_path: Path) -> Path | None:
    """Return the development secret's file when it holds another secret than `secret_key`, else None.

    A server in development (`make run`) signs keys with that file's secret: a key issued under
    another one would be refused by it.
    """
    path = instance_path / DEV_SECRET_FILE
    if path.is_file() and path.read_text().strip() != secret_key:
        return path
    return None


def _development_secret(instance_path: Path) -> str:
    """Return the development secret kept under instance/, creating it on first use."""
    path = instance_path / DEV_SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    draft = instance_path / f".{DEV_SECRET_FILE}.{os.getpid()}"
    draft.write_text(secrets.token_urlsafe(48))
    draft.chmod(0o600)
    try:
        # Linking is atomic: of processes starting at once (gunicorn's workers, a command), the
        # first one's secret is the one every one of them reads.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()
