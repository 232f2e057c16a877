"""Gateway settings, read only from the environment.

``ENV_FILE`` may name a dotenv file whose values fill in variables that are not already
set (local development); on Kubernetes the pod's environment is the only source.
Every default is the field's default below, and nowhere else.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dotenv import dotenv_values

SERVICES = ("accounts", "content", "notifications")


class ConfigError(Exception):
    """A required variable is missing or a value cannot be parsed."""


@dataclass(frozen=True, slots=True)
class Settings:
    upstreams: Mapping[str, str]
    redis_cluster_url: str
    jwt_issuer: str
    jwt_audience: str
    jwks_url: str
    # Shared with every service: proves a request's X-Forwarded-* come from the gateway.
    proxy_secret: str
    log_level: str = "INFO"
    max_request_body_bytes: int = 1024 * 1024
    # The whole request head (request line and headers); above it 431 (414 for the line).
    max_request_header_bytes: int = 16 * 1024
    # Seconds a client has to send a request's head, and then its body (408 after).
    request_header_timeout: float = 5.0
    request_body_timeout: float = 10.0
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 30.0
    # Requests in flight to each upstream; above it 503 at once, without waiting.
    upstream_pool_size: int = 128
    upstream_keepalive_seconds: float = 1.5
    upstream_retry_after_seconds: int = 5
    # Proxied WebSockets, all together and per user; each holds its own connection.
    websocket_max_connections: int = 1024
    websocket_max_per_client: int = 8
    rate_limit_anonymous: int = 120
    rate_limit_authenticated: int = 600
    rate_limit_credentials: int = 10
    rate_limit_token_checks: int = 120
    rate_limit_mail: int = 3
    rate_limit_mfa: int = 5
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
    # /metrics on a listener of its own (never the public port); 0: not served.
    metrics_port: int = 0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = environment(environ)
        optional: dict[str, Any] = {}
        for field, (variable, parse) in OPTIONAL.items():
            raw = env.get(variable, "").strip()
            if raw:
                optional[field] = _parsed(variable, raw, parse)
        return cls(
            upstreams={
                name: _required(env, f"UPSTREAM_{name.upper()}").rstrip("/") for name in SERVICES
            },
            redis_cluster_url=_required(env, "REDIS_CLUSTER_URL"),
            jwt_issuer=_required(env, "JWT_ISSUER"),
            jwt_audience=_required(env, "JWT_AUDIENCE"),
            jwks_url=_required(env, "JWKS_URL"),
            proxy_secret=_required(env, "GATEWAY_PROXY_SECRET"),
            **optional,
        )


def _origins(raw: str) -> frozenset[str]:
    return frozenset(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())


def _flag(raw: str) -> bool:
    return raw.lower() in ("1", "true", "yes", "on")


# Optional settings: field → (variable, parser). Unset or empty keeps the field's default.
OPTIONAL: dict[str, tuple[str, Callable[[str], Any]]] = {
    "log_level": ("LOG_LEVEL", str.upper),
    "max_request_body_bytes": ("MAX_REQUEST_BODY_BYTES", int),
    "max_request_header_bytes": ("MAX_REQUEST_HEADER_BYTES", int),
    "request_header_timeout": ("REQUEST_HEADER_TIMEOUT", float),
    "request_body_timeout": ("REQUEST_BODY_TIMEOUT", float),
    "upstream_connect_timeout": ("UPSTREAM_CONNECT_TIMEOUT", float),
    "upstream_read_timeout": ("UPSTREAM_READ_TIMEOUT", float),
    "upstream_pool_size": ("UPSTREAM_POOL_SIZE", int),
    "upstream_keepalive_seconds": ("UPSTREAM_KEEPALIVE_SECONDS", float),
    "upstream_retry_after_seconds": ("UPSTREAM_RETRY_AFTER_SECONDS", int),
    "websocket_max_connections": ("WEBSOCKET_MAX_CONNECTIONS", int),
    "websocket_max_per_client": ("WEBSOCKET_MAX_PER_CLIENT", int),
    "rate_limit_anonymous": ("RATE_LIMIT_ANONYMOUS", int),
    "rate_limit_authenticated": ("RATE_LIMIT_AUTHENTICATED", int),
    "rate_limit_credentials": ("RATE_LIMIT_CREDENTIALS", int),
    "rate_limit_token_checks": ("RATE_LIMIT_TOKEN_CHECKS", int),
    "rate_limit_mail": ("RATE_LIMIT_MAIL", int),
    "rate_limit_mfa": ("RATE_LIMIT_MFA", int),
    "rate_limit_window_seconds": ("RATE_LIMIT_WINDOW_SECONDS", int),
    "rate_limit_key_prefix": ("RATE_LIMIT_KEY_PREFIX", str),
    "redis_timeout": ("REDIS_TIMEOUT", float),
    "jwks_min_refetch_seconds": ("JWKS_MIN_REFETCH_SECONDS", float),
    "cors_allowed_origins": ("CORS_ALLOWED_ORIGINS", _origins),
    "access_log": ("ACCESS_LOG", _flag),
    "retries": ("GATEWAY_RETRIES", int),
    "breaker_failure_threshold": ("BREAKER_FAILURE_THRESHOLD", int),
    "breaker_reset_seconds": ("BREAKER_RESET_SECONDS", float),
    "breaker_window_seconds": ("BREAKER_WINDOW_SECONDS", float),
    "openapi_cache_seconds": ("OPENAPI_CACHE_SECONDS", float),
    "readiness_interval_seconds": ("READINESS_INTERVAL_SECONDS", float),
    "idempotency_ttl_seconds": ("IDEMPOTENCY_TTL_SECONDS", int),
    "idempotency_lock_seconds": ("IDEMPOTENCY_LOCK_SECONDS", int),
    "idempotency_max_response_bytes": ("IDEMPOTENCY_MAX_RESPONSE_BYTES", int),
    "idempotency_key_prefix": ("IDEMPOTENCY_KEY_PREFIX", str),
    "metrics_port": ("METRICS_PORT", int),
}
assert set(OPTIONAL) <= {field.name for field in dataclasses.fields(Settings)}


def environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment (or ``environ``), filled in from ``ENV_FILE`` if named."""
    environ = os.environ if environ is None else environ
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


def _parsed(name: str, raw: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from error
