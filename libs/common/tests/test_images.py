"""Uploaded images: sniffed, bounded, bomb-proof and re-encoded without what rode along."""

from __future__ import annotations

import io
import json
import os
import time

import pytest
from PIL import Image, PngImagePlugin

from platform_common.api.errors import exception_problem
from platform_common.images import (
    ImageCode,
    ImageDimensionsTooLarge,
    ImageInvalid,
    ImagePolicy,
    ImageTooLarge,
    image_clean,
)
from platform_common.testing.images import png_bomb

POLICY = ImagePolicy(max_bytes=256 * 1024, max_width=1024, max_height=1024)
PAYLOAD = b"<?php system($_GET['c']); ?><script>alert(1)</script>"


def encoded(image_format: str, *, size: tuple[int, int] = (40, 30), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=image_format, **options)
    return out.getvalue()


def test_a_png_comes_back_re_encoded_with_its_size_and_type() -> None:
    clean = image_clean(source=io.BytesIO(encoded("PNG")), policy=POLICY)

    assert (clean.format, clean.content_type, clean.extension) == ("PNG", "image/png", "png")
    assert (clean.width, clean.height) == (40, 30)
    assert Image.open(io.BytesIO(clean.content)).getpixel((0, 0)) == (200, 30, 30)


def test_text_named_like_an_image_is_refused() -> None:
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"

    with pytest.raises(ImageInvalid) as refused:
        image_clean(source=io.BytesIO(html), policy=POLICY)

    assert refused.value.code == ImageCode.IMAGE_INVALID
    assert refused.value.status == 400


def test_an_image_of_a_format_outside_the_policy_is_refused() -> None:
    gif = encoded("GIF")

    with pytest.raises(ImageInvalid):
        image_clean(source=io.BytesIO(gif), policy=POLICY)


def test_a_type_name_alone_does_not_pass_a_jpeg_header_with_script_after_it() -> None:
    forged = b"\xff\xd8\xff\xe0" + PAYLOAD * 10

    with pytest.raises(ImageInvalid):
        image_clean(source=io.BytesIO(forged), policy=POLICY)


def test_a_polyglot_jpeg_loses_what_was_appended_to_it() -> None:
    polyglot = encoded("JPEG") + PAYLOAD

    clean = image_clean(source=io.BytesIO(polyglot), policy=POLICY)

    assert PAYLOAD not in clean.content
    assert b"<?php" not in clean.content
    assert clean.format == "JPEG"


def test_a_png_carrying_a_script_in_a_text_chunk_loses_it() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    original = encoded("PNG", pnginfo=info)
    assert PAYLOAD in original

    clean = image_clean(source=io.BytesIO(original), policy=POLICY)

    assert PAYLOAD not in clean.content
    assert b"tEXt" not in clean.content


def test_exif_goes_and_its_orientation_is_applied_to_the_pixels() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    exif[0x010F] = "Secret Camera Maker"
    original = encoded("JPEG", size=(40, 30), exif=exif.tobytes())

    clean = image_clean(source=io.BytesIO(original), policy=POLICY)

    assert (clean.width, clean.height) == (30, 40)
    assert b"Secret Camera Maker" not in clean.content
    assert not Image.open(io.BytesIO(clean.content)).getexif()


def test_a_20k_by_20k_bomb_is_refused_from_its_header_without_being_decoded() -> None:
    bomb = png_bomb(20_000)
    assert len(bomb) < POLICY.max_bytes

    started = time.monotonic()
    with pytest.raises(ImageDimensionsTooLarge) as refused:
        image_clean(source=io.BytesIO(bomb), policy=POLICY)

    assert time.monotonic() - started < 1  # decoding 400 megapixels would take far longer
    assert refused.value.code == ImageCode.IMAGE_DIMENSIONS_TOO_LARGE
    assert refused.value.status == 400


def test_pillows_own_bomb_guard_holds_when_a_policy_allows_huge_dimensions() -> None:
    generous = ImagePolicy(max_bytes=256 * 1024, max_width=50_000, max_height=50_000)

    with pytest.raises(ImageDimensionsTooLarge):
        image_clean(source=io.BytesIO(png_bomb(20_000)), policy=generous)


def test_an_image_larger_than_the_byte_limit_is_refused_with_413() -> None:
    small = ImagePolicy(max_bytes=1024, max_width=1024, max_height=1024)
    noise = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))  # incompressible
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 1024

    with pytest.raises(ImageTooLarge) as refused:
        image_clean(source=io.BytesIO(out.getvalue()), policy=small)

    assert refused.value.status == 413
    assert refused.value.extra == {"max_bytes": 1024}


def test_a_truncated_image_is_refused() -> None:
    truncated = encoded("PNG", size=(200, 200))[:-40]

    with pytest.raises(ImageInvalid):
        image_clean(source=io.BytesIO(truncated), policy=POLICY)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ImageInvalid):
        image_clean(source=io.BytesIO(b""), policy=POLICY)


def test_the_refusals_render_as_problems_with_their_codes() -> None:
    too_large = exception_problem(None, ImageTooLarge(max_bytes=10))
    invalid = exception_problem(None, ImageInvalid("nope"))

    assert too_large.status_code == 413
    assert json.loads(too_large.content)["code"] == "image_too_large"
    assert too_large["Content-Type"] == "application/problem+json"
    assert json.loads(invalid.content)["title"] == "Not an accepted image"


def test_a_policy_naming_a_format_it_cannot_encode_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="GIF"):
        ImagePolicy(max_bytes=1, max_width=1, max_height=1, formats=frozenset({"GIF"}))
