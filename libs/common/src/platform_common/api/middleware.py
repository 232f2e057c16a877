"""HTTP middleware of the API conventions (all in ``build_settings``' ``MIDDLEWARE``).

``BodySizeLimitMiddleware`` rejects oversized bodies before any view runs, whether or not
the view reads the body. ``CompressionMiddleware`` gzips responses above a size threshold.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from platform_common.api.errors import payload_too_large
from platform_common.middleware import SyncAndAsyncMiddleware

# Below this a response fits one packet anyway: compressing it only costs CPU.
COMPRESSION_MIN_BYTES = 1024


def oversized_body_response(request: HttpRequest) -> HttpResponse | None:
    """A 413 problem when the declared Content-Length exceeds ``MAX_REQUEST_BODY_BYTES``."""
    limit: int | None = getattr(settings, "MAX_REQUEST_BODY_BYTES", None)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None  # Django's own parsing treats a garbage length as no body.
    if limit is not None and declared > limit:
        return payload_too_large(request)
    return None


class BodySizeLimitMiddleware(SyncAndAsyncMiddleware):
    def before_view(self, request: HttpRequest) -> HttpResponseBase | None:
        return oversized_body_response(request)


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip (``Accept-Encoding``, ``Vary``, streaming bodies compressed as they
    stream, strong ETags made weak, random padding against BREACH) above a threshold.

    Sits above ``ConditionalGetMiddleware``: the ETag is computed on the uncompressed body,
    so a conditional GET matches whether or not either answer was compressed.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if isinstance(response, HttpResponse) and len(response.content) < COMPRESSION_MIN_BYTES:
            return response
        compressed: HttpResponseBase = super().process_response(request, response)
        return compressed
