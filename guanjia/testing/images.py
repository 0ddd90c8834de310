"""Images for tests of photo and signature uploads (guanjia.cases.uploads)."""

from __future__ import annotations

import base64
import io

from PIL import Image


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), color: str = "gray") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def signature_png(blank: bool = False, size: tuple[int, int] = (400, 160)) -> bytes:
    """A PNG as signature_pad draws it: transparent, with a dark stroke unless ``blank``."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if not blank:
        for x in range(size[0] // 10, size[0] * 9 // 10):
            image.putpixel((x, size[1] // 2 + (x % 20) - 10), (20, 20, 20, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signature_data_url(blank: bool = False, size: tuple[int, int] = (400, 160)) -> str:
    """What the signature canvas posts: ``data:image/png;base64,…``."""
    return "data:image/png;base64," + base64.b64encode(signature_png(blank, size)).decode()
