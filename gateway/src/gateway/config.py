"""Gateway settings, read only from the environment.

``ENV_FILE`` may name a dotenv file whose values fill in variables that are not already
set (local development); on Kubernetes the pod's environment is the only source.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from dotenv import dotenv_values

SERVICES = ("accounts", "content", "notifications")

Number = TypeVar("Number", int, float)


class ConfigError(Exception):
    """A required variable is missing or a value cannot be parsed."""


@dataclass(frozen=True, slots=True)
class Settings:
    upstreams: Mapping[str, str]
    redis_cluster_url: str
    jwt_issuer: str
    jwt_audience: str
    jwks_url: str
    log_level: str = "INFO"
    max_request_body_bytes: int = 1024 * 1024
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 30.0
    upstream_pool_size: int = 256
    upstream_keepalive_seconds: float = 1.5
    upstream_retry_after_seconds: int = 5
    rate_limit_anonymous: int = 120
    rate_limit_authenticated: int = 600
    rate_limit_credentials: int = 10
    rate_limit_token_checks: int = 120
    rate_limit_window_seconds: int = 60
    rate_limit_key_prefix: str = "ratelimit"
    redis_timeout: float = 0.25
    jwks_min_refetch_seconds: float = 10.0
    cors_allowed_origins: frozenset[str] = frozenset()
    access_log: bool = True
    retries: int = 2
    breaker_failure_threshold: int = 5
    breaker_reset_seconds: float = 10.0
    breaker_window_seconds: float = 30.0
    openapi_cache_seconds: float = 60.0
    readiness_interval_seconds: float = 5.0
    idempotency_ttl_seconds: int = 24 * 3600
    idempotency_lock_seconds: int = 60
    idempotency_max_response_bytes: int = 256 * 1024
    idempotency_key_prefix: str = "idempotency"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = _with_env_file(os.environ if environ is None else environ)
        return cls(
            upstreams={
                name: _required(env, f"UPSTREAM_{name.upper()}").rstrip("/") for name in SERVICES
            },
            redis_cluster_url=_required(env, "REDIS_CLUSTER_URL"),
            jwt_issuer=_required(env, "JWT_ISSUER"),
            jwt_audience=_required(env, "JWT_AUDIENCE"),
            jwks_url=_required(env, "JWKS_URL"),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            max_request_body_bytes=_number(env, "MAX_REQUEST_BODY_BYTES", int, 1024 * 1024),
            upstream_connect_timeout=_number(env, "UPSTREAM_CONNECT_TIMEOUT", float, 2.0),
            upstream_read_timeout=_number(env, "UPSTREAM_READ_TIMEOUT", float, 30.0),
            upstream_pool_size=_number(env, "UPSTREAM_POOL_SIZE", int, 256),
            upstream_keepalive_seconds=_number(env, "UPSTREAM_KEEPALIVE_SECONDS", float, 1.5),
            upstream_retry_after_seconds=_number(env, "UPSTREAM_RETRY_AFTER_SECONDS", int, 5),
            rate_limit_anonymous=_number(env, "RATE_LIMIT_ANONYMOUS", int, 120),
            rate_limit_authenticated=_number(env, "RATE_LIMIT_AUTHENTICATED", int, 600),
            rate_limit_credentials=_number(env, "RATE_LIMIT_CREDENTIALS", int, 10),
            rate_limit_token_checks=_number(env, "RATE_LIMIT_TOKEN_CHECKS", int, 120),
            rate_limit_window_seconds=_number(env, "RATE_LIMIT_WINDOW_SECONDS", int, 60),
            rate_limit_key_prefix=env.get("RATE_LIMIT_KEY_PREFIX", "ratelimit"),
            redis_timeout=_number(env, "REDIS_TIMEOUT", float, 0.25),
            jwks_min_refetch_seconds=_number(env, "JWKS_MIN_REFETCH_SECONDS", float, 10.0),
            cors_allowed_origins=frozenset(
                origin.strip().rstrip("/")
                for origin in env.get("CORS_ALLOWED_ORIGINS", "").split(",")
                if origin.strip()
            ),
            access_log=env.get("ACCESS_LOG", "true").lower() in ("1", "true", "yes", "on"),
            retries=_number(env, "GATEWAY_RETRIES", int, 2),
            breaker_failure_threshold=_number(env, "BREAKER_FAILURE_THRESHOLD", int, 5),
            breaker_reset_seconds=_number(env, "BREAKER_RESET_SECONDS", float, 10.0),
            breaker_window_seconds=_number(env, "BREAKER_WINDOW_SECONDS", float, 30.0),
            openapi_cache_seconds=_number(env, "OPENAPI_CACHE_SECONDS", float, 60.0),
            readiness_interval_seconds=_number(env, "READINESS_INTERVAL_SECONDS", float, 5.0),
            idempotency_ttl_seconds=_number(env, "IDEMPOTENCY_TTL_SECONDS", int, 24 * 3600),
            idempotency_lock_seconds=_number(env, "IDEMPOTENCY_LOCK_SECONDS", int, 60),
            idempotency_max_response_bytes=_number(
                env, "IDEMPOTENCY_MAX_RESPONSE_BYTES", int, 256 * 1024
            ),
            idempotency_key_prefix=env.get("IDEMPOTENCY_KEY_PREFIX", "idempotency"),
        )


def _with_env_file(environ: Mapping[str, str]) -> dict[str, str]:
    env_file = environ.get("ENV_FILE")
    if not env_file:
        return dict(environ)
    from_file = {key: value for key, value in dotenv_values(env_file).items() if value is not None}
    # Values already in the environment win over the file.
    return {**from_file, **environ}


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} must be set")
    return value


def _number(env: Mapping[str, str], name: str, kind: type[Number], default: Number) -> Number:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from error
