"""What every service's root URLconf takes from the library.

``urlpatterns = service_urlpatterns(service="content", api="content.articles.urls")`` serves
the probes, the service's REST API under ``/api/v1/<service>/`` and its own OpenAPI
document at ``/api/v1/<service>/schema/``. Django reads ``handler400``... from the root
URLconf itself, so it also imports them from here: paths DRF never sees (unknown URLs,
failures in plain views) answer the same problem+json as the API.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from platform_common.api.errors import handler400, handler403, handler404, handler500

__all__ = ["handler400", "handler403", "handler404", "handler500", "service_urlpatterns"]

API_VERSION = "v1"


def api_prefix(service: str) -> str:
    """``api/v1/<service>/``: every REST path of ``service`` starts with it."""
    return f"api/{API_VERSION}/{service}/"


def service_urlpatterns(
    *,
    service: str,
    api: Sequence[str],
    unversioned: Sequence[URLPattern | URLResolver] = (),
) -> list[URLPattern | URLResolver]:
    """Probes, ``unversioned`` paths, the schema, then each URLconf in ``api`` under the prefix."""
    prefix = api_prefix(service)
    return [
        path("", include("platform_common.health")),
        *unversioned,
        path(f"{prefix}schema/", SpectacularAPIView.as_view(), name="schema"),
        *(path(prefix, include(urlconf)) for urlconf in api),
    ]
