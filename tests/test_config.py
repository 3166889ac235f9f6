"""Settings are validated at start, with messages that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from services_api import create_app
from services_api.config import ConfigError


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        create_app(
            {"APP_ENV": "production", "SECRET_KEY": "short", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
        )


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("STALE_AFTER_DAYS", "soon", "STALE_AFTER_DAYS must be a whole number"),
        ("STALE_AFTER_DAYS", "0", "STALE_AFTER_DAYS must be at least 1"),
        ("HIDE_AFTER_DAYS", "10", "HIDE_AFTER_DAYS must be greater than STALE_AFTER_DAYS"),
        ("MAX_PER_PAGE", "-5", "MAX_PER_PAGE must be at least 1"),
        ("DEFAULT_PER_PAGE", "500", "DEFAULT_PER_PAGE must not exceed MAX_PER_PAGE"),
        ("CACHE_MAX_AGE", "1.5", "CACHE_MAX_AGE must be a whole number"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be"),
        ("APP_ENV", "staging", "APP_ENV must be one of"),
        ("TRUSTED_PROXY_COUNT", "yes", "TRUSTED_PROXY_COUNT must be a whole number"),
        ("TRUSTED_PROXY_COUNT", "9", "TRUSTED_PROXY_COUNT is how many proxies"),
        ("PUBLIC_URL", "directory.example.org", "PUBLIC_URL must be an http"),
        ("PUBLIC_URL", "ftp://directory.example.org", "PUBLIC_URL must be an http"),
        ("PUBLIC_URL", "https://directory.example.org/?x=1", "PUBLIC_URL must be an http"),
        ("PUBLIC_URL", "https://directory.example.org:99999", "PUBLIC_URL must be an http"),
        ("RATELIMIT_STORAGE_URI", "nosuch://host", "RATELIMIT_STORAGE_URI cannot be used"),
        ("RATELIMIT_STORAGE_URI", "sqlite:///", "RATELIMIT_STORAGE_URI needs a file"),
        ("AUTH_FAILURE_LIMIT", "often", "AUTH_FAILURE_LIMIT must be a rate"),
        ("DATABASE_REPLICA_URLS", "postgresql+psycopg://replica/db", "needs DATABASE_URL to be PostgreSQL"),
        ("MAX_REPLICA_LAG_SECONDS", "soon", "MAX_REPLICA_LAG_SECONDS must be a number of seconds"),
    ],
)
def test_malformed_settings_fail_fast_naming_the_setting(setting: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", setting: value})


def test_development_generates_and_keeps_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = {
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "INSTANCE_PATH": str(tmp_path),
    }
    first = create_app(settings)
    second = create_app(settings)
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "dev_secret_key").exists()


def test_settings_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STALE_AFTER_DAYS", "90")
    monkeypatch.setenv("HIDE_AFTER_DAYS", "200")
    monkeypatch.setenv("MAX_PER_PAGE", "50")
    app = create_app({"APP_ENV": "testing", "INSTANCE_PATH": str(tmp_path)})
    assert (app.config["STALE_AFTER_DAYS"], app.config["HIDE_AFTER_DAYS"], app.config["MAX_PER_PAGE"]) == (
        90,
        200,
        50,
    )


def test_rate_limits_are_shared_through_a_file_under_instance_by_default(tmp_path: Path) -> None:
    settings = {"APP_ENV": "production", "SECRET_KEY": "s" * 40, "INSTANCE_PATH": str(tmp_path)}
    app = create_app({**settings, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["RATELIMIT_STORAGE_URI"] == f"sqlite:///{tmp_path / 'rate_limits.db'}"
    assert (tmp_path / "rate_limits.db").stat().st_mode & 0o777 == 0o600
    assert app.config["TRUSTED_PROXY_COUNT"] == 0 and app.config["PUBLIC_URL"] == ""
    configured = create_app(
        {**settings, "PUBLIC_URL": "https://directory.example.org/", "TRUSTED_PROXY_COUNT": "1"}
    )
    assert configured.config["PUBLIC_URL"] == "https://directory.example.org"
    assert configured.config["TRUSTED_PROXY_COUNT"] == 1
