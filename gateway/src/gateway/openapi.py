"""One OpenAPI document for the whole platform, merged from the services' own documents.

Each service serves its drf-spectacular document at ``/api/<service>/schema/?format=json``
with paths already under its prefix, so paths are kept as they are. Component names that
two services use for different things are prefixed with the service (``AccountsUser``);
identical ones are kept once. A service that cannot be fetched is left out and named in
``x-missing-services``; the merged document is cached for a short time.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 5.0
# A document missing a service is kept only briefly, so the service is back soon after it is.
INCOMPLETE_CACHE_SECONDS = 5.0
OPENAPI_VERSION = "3.0.3"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOCS_CONTENT_SECURITY_POLICY = (
    b"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
    b"base-uri 'none'; form-action 'none'"
)

Document = dict[str, Any]


def schema_url(base_url: str, service: str) -> str:
    return f"{base_url}/api/{service}/schema/?format=json"


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


def docs_page(document: Document, *, schema_path: str) -> str:
    """A self-contained HTML page listing every operation: no scripts, no external assets."""
    esc = html.escape
    rows: list[str] = []
    for path, item in sorted((document.get("paths") or {}).items()):
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            summary = operation.get("summary") or operation.get("description") or ""
            public = operation.get("security") is not None and any(
                not requirement for requirement in operation["security"]
            )
            rows.append(
                "<tr>"
                f'<td class="m {esc(method)}">{esc(method.upper())}</td>'
                f"<td><code>{esc(path)}</code></td>"
                f"<td>{esc(str(operation.get('operationId', '')))}</td>"
                f"<td>{esc(str(summary).splitlines()[0] if summary else '')}</td>"
                f"<td>{'public' if public else 'bearer'}</td>"
                "</tr>"
            )
    missing = document.get("x-missing-services") or []
    warning = (
        f'<p class="warn">Missing (unavailable right now): {esc(", ".join(missing))}</p>'
        if missing
        else ""
    )
    title = esc(str((document.get("info") or {}).get("title", "API")))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}}
table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}}
.m{{font-weight:bold;font-family:monospace}}
.get{{color:#1769aa}}.post{{color:#2e7d32}}.put,.patch{{color:#9a6700}}.delete{{color:#c62828}}
.warn{{color:#c62828}}
</style></head>
<body><h1>{title}</h1>
<p>The full document: <a href="{esc(schema_path)}">{esc(schema_path)}</a> (OpenAPI 3).</p>
{warning}
<table><thead><tr><th>method</th><th>path</th><th>operation</th><th>summary</th>
<th>auth</th></tr></thead><tbody>
{"".join(rows)}
</tbody></table></body></html>
"""
