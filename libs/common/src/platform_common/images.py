"""Untrusted uploaded images made safe to store and serve (avatars, cover images).

The type is what Pillow recognises in the bytes, never the file name or the declared
content type. The byte size is bounded while reading, the dimensions are checked from
the header before a single pixel is decoded (a 20,000 x 20,000 PNG is a few kilobytes
that decode to gigabytes), and what is kept is a fresh encoding of the decoded pixels:
metadata (EXIF with its GPS position, comments, ICC) is dropped, and anything riding
along in the original file (a script appended to a JPEG, a polyglot) is not in it.

Needs the ``images`` extra (Pillow).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from platform_common.api.errors import ApplicationError
from platform_common.problems import TitledCode

READ_CHUNK_BYTES = 64 * 1024


class ImageCode(TitledCode):
    IMAGE_INVALID = "image_invalid", "Not an accepted image"
    IMAGE_TOO_LARGE = "image_too_large", "Image file too large"
    IMAGE_DIMENSIONS_TOO_LARGE = "image_dimensions_too_large", "Image dimensions too large"


class ImageInvalid(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=ImageCode.IMAGE_INVALID)


class ImageTooLarge(ApplicationError):
    status = 413

    def __init__(self, *, max_bytes: int) -> None:
        super().__init__(
            f"The image is larger than {max_bytes} bytes.",
            code=ImageCode.IMAGE_TOO_LARGE,
            extra={"max_bytes": max_bytes},
        )


class ImageDimensionsTooLarge(ApplicationError):
    def __init__(self, *, max_width: int, max_height: int) -> None:
        super().__init__(
            f"The image is larger than {max_width} x {max_height} pixels.",
            code=ImageCode.IMAGE_DIMENSIONS_TOO_LARGE,
            extra={"max_width": max_width, "max_height": max_height},
        )


# Pillow format name -> (MIME type, file extension) of the re-encoded image.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True, kw_only=True)
class ImagePolicy:
    """What an upload may be: its size in bytes, its dimensions and its formats."""

    max_bytes: int
    max_width: int
    max_height: int
    formats: frozenset[str] = field(default_factory=lambda: frozenset(FORMATS))

    def __post_init__(self) -> None:
        unknown = self.formats - FORMATS.keys()
        if unknown:
            raise ValueError(f"formats without an encoder here: {sorted(unknown)}")


@dataclass(frozen=True, kw_only=True)
class CleanImage:
    """A re-encoded image, safe to store: no metadata, nothing but its pixels."""

    content: bytes
    format: str
    content_type: str
    extension: str
    width: int
    height: int


def image_clean(*, source: IO[bytes], policy: ImagePolicy) -> CleanImage:
    """Read, check and re-encode an uploaded image; raises ``ImageTooLarge`` (413),
    ``ImageInvalid`` or ``ImageDimensionsTooLarge`` (400) and never returns a partial one."""
    data = _read_bounded(source=source, max_bytes=policy.max_bytes)
    with warnings.catch_warnings():
        # Pillow warns above its own MAX_IMAGE_PIXELS and raises above twice it: both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=sorted(policy.formats))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise ImageDimensionsTooLarge(
                max_width=policy.max_width, max_height=policy.max_height
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ImageInvalid(_not_accepted(policy)) from error
        with image:
            # The header alone tells the size: checked before any decoding.
            if image.width > policy.max_width or image.height > policy.max_height:
                raise ImageDimensionsTooLarge(
                    max_width=policy.max_width, max_height=policy.max_height
                )
            source_format = str(image.format)
            try:
                image.load()
                # EXIF orientation applied to the pixels, since the EXIF itself goes.
                upright = ImageOps.exif_transpose(image)
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
                raise ImageInvalid("The image data is corrupt or truncated.") from error
    return _encode(upright, image_format=source_format)


def _read_bounded(*, source: IO[bytes], max_bytes: int) -> bytes:
    buffer = bytearray()
    while chunk := source.read(READ_CHUNK_BYTES):
        buffer += chunk
        if len(buffer) > max_bytes:
            raise ImageTooLarge(max_bytes=max_bytes)
    if not buffer:
        raise ImageInvalid("The image is empty.")
    return bytes(buffer)


def _not_accepted(policy: ImagePolicy) -> str:
    accepted = ", ".join(sorted(policy.formats))
    return f"The file is not an image of an accepted type ({accepted})."


def _encode(image: Image.Image, *, image_format: str) -> CleanImage:
    content_type, extension = FORMATS[image_format]
    if image_format == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in {"RGB", "RGBA", "L", "LA"}:
        # Palettes and exotic modes become plain RGB(A): one predictable encoding.
        alpha = "transparency" in image.info or "A" in image.mode
        image = image.convert("RGBA" if alpha else "RGB")
    out = io.BytesIO()
    # No exif=, icc_profile= or pnginfo=: the new file carries no metadata.
    options: dict[str, object] = {"quality": 88} if image_format in {"JPEG", "WEBP"} else {}
    image.save(out, format=image_format, **options)
    return CleanImage(
        content=out.getvalue(),
        format=image_format,
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
    )
