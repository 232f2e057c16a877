"""Cleaned images kept in a Django storage and served from it (avatars, cover images).

A stored image gets a random name, never reused, so its bytes never change: the local
storage's files are served with a year of caching, and a replaced image is a new name.
Needs the ``django`` and ``images`` extras.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.http import FileResponse

from platform_common.api.errors import NotFoundError
from platform_common.images import FORMATS, CleanImage
from platform_common.problems import ProblemCode

# One year: names are never reused.
IMAGE_CACHE_CONTROL = "public, max-age=31536000, immutable"
CONTENT_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}


class ImageNameConverter:
    """A stored image's name in a path: 32 hex digits and a known extension (else 404)."""

    regex = r"[0-9a-f]{32}\.(?:" + "|".join(CONTENT_TYPES) + ")"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def image_store(*, storage: Storage, image: CleanImage) -> str:
    """Save ``image`` under a new random name; returns the name the storage kept."""
    name = f"{uuid.uuid4().hex}.{image.extension}"
    return storage.save(name, ContentFile(image.content, name=name))


def stored_image_response(*, storage: Storage, name: str, what: str) -> FileResponse:
    """The stored image ``name`` (already matched by ``ImageNameConverter``), or a 404."""
    if not storage.exists(name):
        raise NotFoundError(f"No such {what}.", code=ProblemCode.NOT_FOUND)
    response = FileResponse(storage.open(name), content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = IMAGE_CACHE_CONTROL
    # Shown inline, never run: no script or style of it applies to the page.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
