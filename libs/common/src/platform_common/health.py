"""Probes and metrics: ``path("", include("platform_common.health"))``.

``/healthz`` only proves the process serves requests (restart it if not); ``/readyz``
checks what a request needs (database, broker, cache) so traffic is withheld while one
is unreachable; ``/metrics`` is the Prometheus scrape endpoint (the gateway never routes it).
All are plain Django views: no authentication, no DRF.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from kombu import Connection
from rest_framework.exceptions import MethodNotAllowed

from platform_common.api.errors import exception_problem
from platform_common.api.problems import problem_response
from platform_common.cache import uncounted
from platform_common.observability.metrics import render_metrics
from platform_common.problems import ProblemCode

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> None:
    with Connection(settings.AMQP_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1)


def check_cache() -> None:
    # A unique key per probe: concurrent probes must not read each other's value.
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        with uncounted():
            read = cache.get(key)
        if read != value:
            raise RuntimeError("cache returned a different value")
    finally:
        cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
}


def run_check(name: str, check: Callable[[], None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        # The error text may carry hosts or credentials: log it, answer with its type only.
        logger.warning("Readiness check %s failed", name, exc_info=exc)
        result: dict[str, Any] = {"status": "failing", "error": type(exc).__name__}
    else:
        result = {"status": "ok"}
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


View = Callable[[HttpRequest], HttpResponse]


def read_only(view: View) -> View:
    """Probes only read; anything else is a 405 problem like every other endpoint's."""

    @csrf_exempt  # nothing to protect: writes are refused below
    @wraps(view)
    def guarded(request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            response = exception_problem(request, MethodNotAllowed(str(request.method)))
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)

    return guarded


@read_only
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@read_only
def readyz(request: HttpRequest) -> HttpResponse:
    results = {name: run_check(name, check) for name, check in CHECKS.items()}
    failing = [name for name, result in results.items() if result["status"] != "ok"]
    if failing:
        return problem_response(
            request,
            status=503,
            code=ProblemCode.SERVICE_UNAVAILABLE,
            detail=f"Not ready: {', '.join(failing)} unreachable.",
            extra={"failing": failing, "checks": results},
        )
    return JsonResponse({"status": "ok", "checks": results})


@read_only
def metrics(request: HttpRequest) -> HttpResponse:
    body, content_type = render_metrics()
    return HttpResponse(body, content_type=content_type)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
]
