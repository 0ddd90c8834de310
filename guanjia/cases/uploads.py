"""Checking uploaded photos and on-screen signatures before anything is stored.

Every check answers a ``ValidationError`` naming the field in the user's language: the wrong type, too big,
too small or too large in pixels, unreadable, or (a signature) blank. Pillow decodes the file; the name and
the browser's content type are never trusted.

The type and the pixel size are read from the header and checked before any pixel is decoded, so a small file
that declares a huge image is refused without filling the memory. What is kept is not the upload but its
pixels encoded again (turned upright by its EXIF orientation first): no metadata (EXIF with GPS, comments,
colour profiles: colours are converted to sRGB) and no bytes appended after the image end.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MIN_SIDE = 64
PHOTO_MAX_SIDE = 12_000
PHOTO_MAX_PIXELS = 50_000_000

SIGNATURE_MAX_BYTES = 1024 * 1024
SIGNATURE_MIN_SIZE = (100, 50)
SIGNATURE_MAX_SIDE = 4_000
#: A signature whose darkest pixel (on white) is lighter than this has nothing drawn on it.
SIGNATURE_INK_LEVEL = 200


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    image_format: str
    width: int
    height: int
    sha256: str

    @property
    def size_bytes(self) -> int:
        return len(self.content)


def _read(upload: Any, field: str, max_bytes: int) -> bytes:
    if upload is None:
        raise ValidationError({field: [_("请选择文件")]})
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError({field: [_("文件过大：不能超过 %(mb)s MB") % {"mb": _mb(max_bytes)}]})
    content = upload if isinstance(upload, bytes) else upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError({field: [_("文件过大：不能超过 %(mb)s MB") % {"mb": _mb(max_bytes)}]})
    if not content:
        raise ValidationError({field: [_("文件是空的")]})
    return bytes(content)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def _open(content: bytes, field: str, check_header: Callable[[Image.Image], None], too_large: str) -> Image.Image:
    """Decode ``content`` after ``check_header`` accepted its declared format and size (nothing decoded yet)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))  # reads the header only
            check_header(probe)
            probe.verify()  # checks the structure; the image must be reopened to be used
            image = Image.open(io.BytesIO(content))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError({field: [too_large]}) from None
    except UnidentifiedImageError:
        raise ValidationError({field: [_("无法识别的图片，请上传 JPEG、PNG 或 WebP 照片")]}) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError({field: [_("图片已损坏或不完整，请重新拍摄")]}) from None
    return image


def _srgb(image: Image.Image) -> Image.Image:
    """The image in sRGB when it carries a colour profile (phones shoot in Display P3); as it is otherwise."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unreadable profile: keep the pixels as they are
    return converted if converted is not None else image


def _reencode(image: Image.Image, image_format: str) -> bytes:
    """Only the pixels, upright, in ``image_format``: no metadata and nothing after the image end."""
    transparency = image.info.get("transparency")
    image = _srgb(ImageOps.exif_transpose(image) or image)
    image.info = {"transparency": transparency} if transparency is not None and image.mode in ("P", "L", "RGB") else {}
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=90)
    elif image_format == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(buffer, "WEBP", quality=90)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _checked(image: Image.Image, image_format: str) -> CheckedImage:
    stored = _reencode(image, image_format)
    with Image.open(io.BytesIO(stored)) as reread:
        width, height = reread.size  # after turning upright
    return CheckedImage(stored, image_format, width, height, hashlib.sha256(stored).hexdigest())


def check_photo(upload: Any, field: str = "photo") -> CheckedImage:
    """A photo: JPEG, PNG or WebP, at most 8 MB, each side 64–12,000 pixels, at most 50 megapixels."""
    content = _read(upload, field, PHOTO_MAX_BYTES)
    too_large = _("照片尺寸过大：每边不超过 %(n)s 像素") % {"n": PHOTO_MAX_SIDE}

    def check_header(image: Image.Image) -> None:
        if image.format not in PHOTO_FORMATS:
            raise ValidationError({field: [_("只接受 JPEG、PNG 或 WebP 格式的照片")]})
        width, height = image.size
        if min(width, height) < PHOTO_MIN_SIDE:
            raise ValidationError({field: [_("照片太小：每边至少 %(n)s 像素") % {"n": PHOTO_MIN_SIDE}]})
        if max(width, height) > PHOTO_MAX_SIDE or width * height > PHOTO_MAX_PIXELS:
            raise ValidationError({field: [too_large]})

    image = _open(content, field, check_header, too_large)
    return _checked(image, str(image.format))


def signature_bytes(raw: Any, field: str = "signature") -> bytes:
    """The bytes of a signature given as an upload, bytes, or a ``data:image/png;base64,…`` URL (a canvas)."""
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise ValidationError({field: [_("请签名")]})
        prefix = "data:image/png;base64,"
        if not text.startswith(prefix):
            raise ValidationError({field: [_("签名须为 PNG 图片")]})
        payload = text[len(prefix) :]
        if len(payload) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
            raise ValidationError({field: [_("签名文件过大")]})
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({field: [_("签名数据已损坏，请重新签名")]}) from None
    return _read(raw, field, SIGNATURE_MAX_BYTES)


def check_signature(raw: Any, field: str = "signature") -> CheckedImage:
    """A signature: PNG, at most 1 MB, at least 100×50 and at most 4,000 pixels a side, with ink on it."""
    content = signature_bytes(raw, field)
    if len(content) > SIGNATURE_MAX_BYTES:
        raise ValidationError({field: [_("签名文件过大")]})
    too_large = _("签名图片尺寸过大")

    def check_header(image: Image.Image) -> None:
        if image.format != "PNG":
            raise ValidationError({field: [_("签名须为 PNG 图片")]})
        width, height = image.size
        if width < SIGNATURE_MIN_SIZE[0] or height < SIGNATURE_MIN_SIZE[1]:
            raise ValidationError({field: [_("签名区域太小，请在签名框内签名")]})
        if max(width, height) > SIGNATURE_MAX_SIDE:
            raise ValidationError({field: [too_large]})

    image = _open(content, field, check_header, too_large)
    on_white = Image.new("RGBA", image.size, "white")
    on_white.alpha_composite(image.convert("RGBA"))
    darkest = on_white.convert("L").getextrema()[0]
    if isinstance(darkest, (int, float)) and darkest > SIGNATURE_INK_LEVEL:
        raise ValidationError({field: [_("签名为空，请客户在框内签名")]})
    return _checked(image, "PNG")
