"""Photos and signatures are checked before they are stored: type, size and dimensions, with a clear error."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from guanjia.cases.uploads import PHOTO_MAX_BYTES, check_photo, check_signature
from guanjia.testing.images import image_bytes, signature_png


def error_of(fn, *args) -> str:
    with pytest.raises(ValidationError) as err:
        fn(*args)
    return " ".join(m for ms in err.value.message_dict.values() for m in ms)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_r10_photo_formats_accepted(fmt):
    checked = check_photo(image_bytes(fmt))
    assert checked.image_format == fmt and (checked.width, checked.height) == (640, 480)


def test_r10_photo_of_another_type_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200)).save(buffer, "GIF")
    assert "JPEG、PNG 或 WebP" in error_of(check_photo, buffer.getvalue())


def test_r10_not_an_image_is_refused():
    assert "无法识别的图片" in error_of(check_photo, b"%PDF-1.4 not an image")


def test_r10_truncated_image_is_refused():
    assert "图片" in error_of(check_photo, image_bytes("JPEG")[:200])


def test_r10_photo_too_big_is_refused_before_decoding():
    class Big:
        size = PHOTO_MAX_BYTES + 1

        def read(self, n):  # pragma: no cover - never reached
            raise AssertionError

    assert "不能超过 8 MB" in error_of(check_photo, Big())


def test_r10_photo_too_small_in_pixels_is_refused():
    assert "太小" in error_of(check_photo, image_bytes("PNG", size=(32, 400)))


def test_r10_photo_too_large_in_pixels_is_refused():
    assert "过大" in error_of(check_photo, image_bytes("PNG", size=(12_001, 64)))


def test_r10_signature_from_a_canvas_data_url():
    url = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    assert check_signature(url).width == 400


def test_r10_signature_must_be_png():
    assert "PNG" in error_of(check_signature, image_bytes("JPEG"))
    assert "PNG" in error_of(check_signature, "data:image/jpeg;base64,AAAA")


def test_r10_blank_or_tiny_signature_is_refused():
    assert "签名为空" in error_of(check_signature, signature_png(blank=True))
    assert "太小" in error_of(check_signature, signature_png(blank=True, size=(60, 30)))


def test_r10_corrupt_signature_data_is_refused():
    assert "损坏" in error_of(check_signature, "data:image/png;base64,@@@")
    assert "请签名" in error_of(check_signature, "")
