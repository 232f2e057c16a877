"""One OpenAPI document for the whole platform, merged from the services' own documents.

Each service serves its drf-spectacular document at ``/api/v1/<service>/schema/?format=json``
with paths already under its prefix, so paths are kept as they are (and so are the
request and response examples they carry). Component names that two services use for
different things are prefixed with the service (``AccountsUser``); identical ones are kept
once. A service that cannot be fetched is left out and named in ``x-missing-services``;
the merged document is cached for a short time.

Every operation also documents what the gateway itself may answer: problem+json 408, 413,
429 (with the RateLimit fields), 502, 503 and 504, and on POST the ``Idempotency-Key``
header with its 400/409 answers. ``/api/v1/docs/`` is Swagger UI over the merged document,
served from the drf-spectacular-sidecar package (no CDN).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

from gateway.routes import DOCS_ASSETS_PATH, DOCS_SCRIPT_PATH, SCHEMA_PATH
from platform_common.problems import ProblemCode, problem_body

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 5.0
# A document missing a service is kept only briefly, so the service is back soon after it is.
INCOMPLETE_CACHE_SECONDS = 5.0
OPENAPI_VERSION = "3.0.3"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Scripts and styles from the gateway only; the explorer's requests go to the gateway.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# What the gateway answers by itself, whatever the operation (status, name, description).
GATEWAY_ANSWERS = (
    ("408", "RequestTimeout", "The request body did not arrive in time."),
    ("413", "PayloadTooLarge", "The request body is larger than the gateway accepts."),
    ("429", "RateLimited", "Too many requests; retry after `Retry-After` seconds."),
    ("502", "BadGateway", "The service sent an invalid answer."),
    ("503", "ServiceUnavailable", "The service (or a dependency) is unavailable; retryable."),
    ("504", "GatewayTimeout", "The service did not answer in time."),
)
IDEMPOTENCY_ANSWERS = (
    ("400", "IdempotencyKeyInvalid", "Idempotency-Key is not 1-255 visible ASCII characters."),
    (
        "409",
        "IdempotencyConflict",
        "A request with this Idempotency-Key is still running (`idempotency_in_progress`), "
        "or the key was used for another request (`idempotency_key_mismatch`).",
    ),
)
RATELIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the window of the quota closest to exhaustion.",
    "RateLimit-Remaining": "Requests left in that window.",
    "RateLimit-Reset": "Seconds until the window ends.",
    "RateLimit-Policy": "Every quota counted for this request: `<limit>;w=<seconds>`.",
}

Document = dict[str, Any]


def schema_url(base_url: str, service: str) -> str:
    return f"{base_url}/api/v1/{service}/schema/?format=json"


def merge(documents: Mapping[str, Document], missing: list[str]) -> Document:
    """Merge the services' documents (by service name, in order) into one."""
    renames = _renames(documents)
    merged: Document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Platform API",
            "version": "1.0.0",
            "description": "Every service's API, as served through the gateway.",
        },
        "paths": {},
        "components": {},
    }
    tags: dict[str, Any] = {}
    for service, document in documents.items():
        rewritten = _rewrite_refs(document, renames[service])
        for path, item in (rewritten.get("paths") or {}).items():
            if path in merged["paths"]:
                logger.warning("openapi: %s also documents %s; first one kept", service, path)
                continue
            if rewritten.get("security") and isinstance(item, dict):
                # A document-wide default applies to that service's operations only.
                for method in HTTP_METHODS:
                    operation = item.get(method)
                    if isinstance(operation, dict):
                        operation.setdefault("security", rewritten["security"])
            merged["paths"][path] = item
        for section, components in (rewritten.get("components") or {}).items():
            target = merged["components"].setdefault(section, {})
            for name, value in components.items():
                target.setdefault(renames[service].get((section, name), name), value)
        for tag in rewritten.get("tags") or ():
            if isinstance(tag, dict) and "name" in tag:
                tags.setdefault(tag["name"], tag)
    if tags:
        merged["tags"] = list(tags.values())
    _add_gateway_answers(merged)
    if missing:
        merged["x-missing-services"] = sorted(missing)
    return merged


def _renames(documents: Mapping[str, Document]) -> dict[str, dict[tuple[str, str], str]]:
    """Per service, ``(section, name) -> new name`` for components that collide.

    Two components collide when they differ once their own references are renamed, so a
    schema that only points at a colliding one is renamed too; repeated to a fixed point.
    """
    owners: dict[tuple[str, str], dict[str, Any]] = {}
    for service, document in documents.items():
        for section, components in (document.get("components") or {}).items():
            if isinstance(components, dict):
                for name, value in components.items():
                    owners.setdefault((section, name), {})[service] = value
    renames: dict[str, dict[tuple[str, str], str]] = {service: {} for service in documents}
    shared = {key: values for key, values in owners.items() if len(values) > 1}
    changed = True
    while changed:
        changed = False
        for (section, name), values in shared.items():
            if (section, name) in renames[next(iter(values))]:
                continue
            contents = {
                json.dumps(_rewrite_refs(value, renames[service]), sort_keys=True)
                for service, value in values.items()
            }
            if len(contents) > 1:
                for service in values:
                    renames[service][(section, name)] = _prefixed(service, name)
                changed = True
    return renames


def _prefixed(service: str, name: str) -> str:
    return service[:1].upper() + service[1:] + name


def _rewrite_refs(value: Any, renames: Mapping[tuple[str, str], str]) -> Any:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and renames and ref.startswith("#/components/"):
            section, _, name = ref.removeprefix("#/components/").partition("/")
            new_name = renames.get((section, name))
            if new_name is not None:
                value = {**value, "$ref": f"#/components/{section}/{new_name}"}
        return {key: _rewrite_refs(item, renames) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite_refs(item, renames) for item in value]
    return value


class MergedSchema:
    """Fetches, merges and caches; concurrent callers share one fetch."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, str],
        *,
        cache_seconds: float,
    ) -> None:
        self._session = session
        self._upstreams = upstreams
        self._cache_seconds = cache_seconds
        self._lock = asyncio.Lock()
        self._body: bytes | None = None
        self._document: Document | None = None
        self._expires = 0.0

    async def document(self) -> tuple[Document, bytes]:
        """The merged document and its JSON encoding."""
        async with self._lock:
            if self._document is None or self._body is None or time.monotonic() >= self._expires:
                self._document = await self._build()
                self._body = json.dumps(self._document, separators=(",", ":")).encode()
                ttl = self._cache_seconds
                if self._document.get("x-missing-services"):
                    ttl = min(ttl, INCOMPLETE_CACHE_SECONDS)
                self._expires = time.monotonic() + ttl
            return self._document, self._body

    async def _build(self) -> Document:
        services = list(self._upstreams)
        fetched = await asyncio.gather(*(self._fetch(service) for service in services))
        documents = {
            service: document
            for service, document in zip(services, fetched, strict=True)
            if document is not None
        }
        missing = [service for service in services if service not in documents]
        return merge(documents, missing)

    async def _fetch(self, service: str) -> Document | None:
        url = schema_url(self._upstreams[service], service)
        try:
            async with asyncio.timeout(FETCH_TIMEOUT_SECONDS):
                async with self._session.get(
                    url, headers={"accept": "application/json"}, allow_redirects=False
                ) as response:
                    if response.status != 200:
                        logger.warning("openapi: %s answered %d", service, response.status)
                        return None
                    document = json.loads(await response.read())
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            logger.warning("openapi: %s schema not fetched (%s)", service, type(error).__name__)
            return None
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            logger.warning("openapi: %s schema is not an OpenAPI document", service)
            return None
        return document


def _add_gateway_answers(document: Document) -> None:
    """The gateway's own answers, on every operation that does not document them itself."""
    components = document["components"]
    components.setdefault("schemas", {}).setdefault("Problem", _problem_schema())
    headers = components.setdefault("headers", {})
    for name, description in {**RATELIMIT_HEADERS, "Retry-After": "Seconds to wait."}.items():
        headers.setdefault(name, {"description": description, "schema": {"type": "integer"}})
    headers["RateLimit-Policy"]["schema"] = {"type": "string"}
    responses = components.setdefault("responses", {})
    for status, name, description in GATEWAY_ANSWERS + IDEMPOTENCY_ANSWERS:
        answer: Document = {
            "description": description,
            "content": {"application/problem+json": {"schema": PROBLEM_REF}},
        }
        if status in ("429", "503", "409"):
            answer["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
        if status == "429":
            for header in RATELIMIT_HEADERS:
                answer["headers"][header] = {"$ref": f"#/components/headers/{header}"}
        responses.setdefault(name, answer)
    components.setdefault("parameters", {}).setdefault(
        "IdempotencyKey",
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": (
                "Runs this POST once per caller and key; a repeat within 24 hours gets the "
                "stored answer with `Idempotent-Replayed: true`."
            ),
            "schema": {"type": "string", "pattern": "^[!-~]{1,255}$", "maxLength": 255},
        },
    )
    for item in document["paths"].values():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            answers = operation.setdefault("responses", {})
            extra = GATEWAY_ANSWERS + (IDEMPOTENCY_ANSWERS if method == "post" else ())
            for status, name, _ in extra:
                answers.setdefault(status, {"$ref": f"#/components/responses/{name}"})
            parameters = operation.setdefault("parameters", [])
            documented = {str(p.get("name", "")).lower() for p in parameters if isinstance(p, dict)}
            if method == "post" and "idempotency-key" not in documented:
                parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})


def _problem_schema() -> Document:
    """RFC 9457 problem details as every part of the platform answers them."""
    return {
        "type": "object",
        "required": ["type", "title", "status", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "code": {"type": "string", "description": "Stable, machine-readable error code."},
            "request_id": {"type": "string"},
        },
        "example": problem_body(
            status=429,
            code=ProblemCode.RATE_LIMITED,
            detail="Too many requests; retry later.",
            instance="/api/v1/accounts/token/",
            request_id="0f8b6c1e2d3a4b5c",
        ),
    }


def swagger_ui_dir() -> Path:
    """The sidecar's Swagger UI build, found without importing the package (Django)."""
    spec = importlib.util.find_spec("drf_spectacular_sidecar")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("drf-spectacular-sidecar is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    return package / "static" / "drf_spectacular_sidecar" / "swagger-ui-dist"


EXPLORER_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Platform API</title>
<link rel="stylesheet" href="{DOCS_ASSETS_PATH}/swagger-ui.css">
</head><body><div id="explorer"></div>
<script src="{DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_ASSETS_PATH}/swagger-ui-standalone-preset.js"></script>
<script src="{DOCS_SCRIPT_PATH}"></script>
</body></html>
"""
# A file, not an inline script, so the page's policy needs no 'unsafe-inline' for scripts.
EXPLORER_SCRIPT = f"""window.ui = SwaggerUIBundle({{
  url: "{SCHEMA_PATH}",
  dom_id: "#explorer",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
  validatorUrl: null,
  persistAuthorization: false
}});
"""
