"""Photos and signatures are checked before they are stored: type, size and dimensions, with a clear error."""

from __future__ import annotations

import base64
import hashlib
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


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width``×``height`` pixels followed by no image data at all: checking its
    size after decoding would answer "damaged", so "too large" shows the header was read first."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_r10_photo_declaring_too_many_pixels_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")  # a real 81-megapixel PNG of about 10 KB
    assert len(buffer.getvalue()) < 100_000
    assert "照片尺寸过大" in error_of(check_photo, buffer.getvalue())
    assert "照片尺寸过大" in error_of(check_photo, png_header_only(9000, 9000))
    assert "照片尺寸过大" in error_of(check_photo, png_header_only(30_000, 30_000))  # past Pillow's own bomb limit


def test_r10_signature_declaring_too_many_pixels_is_refused_before_decoding():
    assert "尺寸过大" in error_of(check_signature, png_header_only(9000, 9000))


def test_r10_bytes_appended_to_an_image_are_not_stored():
    tail = b"<html><script>alert(document.cookie)</script></html>"
    photo = check_photo(image_bytes("PNG") + tail)
    signature = check_signature(signature_png() + tail)
    for checked in (photo, signature):
        assert b"<script>" not in checked.content and checked.content.endswith(b"IEND\xaeB`\x82")
        assert Image.open(io.BytesIO(checked.content)).format == "PNG"
    assert hashlib.sha256(photo.content).hexdigest() == photo.sha256 and photo.size_bytes == len(photo.content)


def test_r10_photo_metadata_is_dropped_after_turning_it_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; the picture is shown rotated 90° clockwise
    exif[0x010F] = "PhoneMaker"
    exif[0x9286] = "GPS 31.2304N 121.4737E"  # a user comment that would reveal where it was taken
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "gray").save(buffer, "JPEG", exif=exif, comment=b"secret note")
    checked = check_photo(buffer.getvalue())
    assert (checked.width, checked.height) == (480, 640)
    stored = Image.open(io.BytesIO(checked.content))
    assert stored.size == (480, 640) and stored.format == "JPEG"
    assert not stored.getexif() and "comment" not in stored.info and "exif" not in stored.info
    assert b"PhoneMaker" not in checked.content and b"secret note" not in checked.content


def test_r10_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address 12-1201")
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, "PNG", pnginfo=info)
    assert b"home address" not in check_photo(buffer.getvalue()).content
