from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigError, Settings

REQUIRED = {
    "UPSTREAM_ACCOUNTS": "http://127.0.0.1:8001/",
    "UPSTREAM_CONTENT": "http://127.0.0.1:8002",
    "UPSTREAM_NOTIFICATIONS": "http://127.0.0.1:8003",
    "REDIS_CLUSTER_URL": "redis://127.0.0.1:7000/0",
    "JWT_ISSUER": "http://accounts.platform.local",
    "JWT_AUDIENCE": "platform",
    "JWKS_URL": "http://127.0.0.1:8001/.well-known/jwks.json",
    "GATEWAY_PROXY_SECRET": "a-shared-secret",
}


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_environ(
        {
            **REQUIRED,
            "MAX_REQUEST_BODY_BYTES": "2048",
            "UPSTREAM_READ_TIMEOUT": "2.5",
            "CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example/ ,",
            "ACCESS_LOG": "false",
            "LOG_LEVEL": "debug",
        }
    )

    assert settings.upstreams == {
        "accounts": "http://127.0.0.1:8001",
        "content": "http://127.0.0.1:8002",
        "notifications": "http://127.0.0.1:8003",
    }
    assert settings.max_request_body_bytes == 2048
    assert settings.upstream_read_timeout == 2.5
    assert settings.cors_allowed_origins == {"https://a.example", "https://b.example"}
    assert settings.access_log is False
    assert settings.log_level == "DEBUG"
    assert settings.rate_limit_anonymous == 120


def test_env_file_fills_only_unset_variables(tmp_path: Path) -> None:
    env_file = tmp_path / "gateway.env"
    env_file.write_text("JWT_AUDIENCE=from-file\nJWT_ISSUER=from-file\nRATE_LIMIT_ANONYMOUS=7\n")
    environ = {key: value for key, value in REQUIRED.items() if key != "JWT_AUDIENCE"}

    settings = Settings.from_environ({**environ, "ENV_FILE": str(env_file)})

    assert settings.jwt_audience == "from-file"
    assert settings.jwt_issuer == "http://accounts.platform.local"
    assert settings.rate_limit_anonymous == 7


def test_missing_variable_is_named() -> None:
    environ = {key: value for key, value in REQUIRED.items() if key != "JWKS_URL"}

    with pytest.raises(ConfigError, match="JWKS_URL must be set"):
        Settings.from_environ(environ)


def test_malformed_number_is_named() -> None:
    with pytest.raises(ConfigError, match="MAX_REQUEST_BODY_BYTES must be a number"):
        Settings.from_environ({**REQUIRED, "MAX_REQUEST_BODY_BYTES": "1MB"})


def test_retry_breaker_and_openapi_settings() -> None:
    defaults = Settings.from_environ(REQUIRED)
    settings = Settings.from_environ(
        {
            **REQUIRED,
            "GATEWAY_RETRIES": "0",
            "BREAKER_FAILURE_THRESHOLD": "3",
            "BREAKER_RESET_SECONDS": "2.5",
            "BREAKER_WINDOW_SECONDS": "7",
            "OPENAPI_CACHE_SECONDS": "15",
        }
    )

    assert (defaults.retries, defaults.breaker_failure_threshold) == (2, 5)
    assert (defaults.breaker_reset_seconds, defaults.openapi_cache_seconds) == (10.0, 60.0)
    assert settings.retries == 0
    assert settings.breaker_failure_threshold == 3
    assert settings.breaker_reset_seconds == 2.5
    assert settings.breaker_window_seconds == 7.0
    assert settings.openapi_cache_seconds == 15.0
