"""Strict parsing of configuration from the environment.

A bad value stops start-up with a message that names the variable, instead of running with a
silently wrong setting (the approach of healthchecks' ``envbool``/``envint``).
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty entry; separate values with single commas.")
    return items


def env_url(name: str, *, schemes: tuple[str, ...]) -> str:
    """Return the URL in ``name`` (or "" when unset); refuse a value that is not such a URL."""
    raw = env_str(name)
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={_redact(raw)!r} must start with one of: {', '.join(s + '://' for s in schemes)}."
        )
    if parsed.scheme.startswith("sqlite"):
        return raw
    if not parsed.hostname and not parsed.path.strip("/"):
        raise ImproperlyConfigured(f"{name}={_redact(raw)!r} names no host or database.")
    return raw


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(parsed.password, "***")
    return url


#: Where files go when they leave the machine: an S3-compatible object store.
S3_VARIABLES = ("S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION", "S3_ADDRESSING_STYLE")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_ADDRESSING = ("auto", "path", "virtual")


def env_storage(name: str = "STORAGE_URL") -> dict[str, Any]:
    """The ``default`` entry of ``STORAGES``: files on local disk (``MEDIA_ROOT``) when ``name`` is unset, or
    in an S3-compatible bucket for ``s3://bucket-name[/prefix]``, reached with the ``S3_*`` variables.

    Stored files are private either way: objects are written with the private ACL, and the application streams
    them through views that check who asks, so no bucket or file URL is ever handed out.
    """
    raw = env_str(name)
    if not raw:
        stray = [variable for variable in S3_VARIABLES if env_str(variable)]
        if stray:
            raise ImproperlyConfigured(
                f"{stray[0]} is set but {name} is not: set {name}=s3://bucket-name to keep files in S3, "
                f"or unset {', '.join(stray)} to keep them on local disk."
            )
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parsed = urlparse(raw)
    if parsed.scheme != "s3":
        raise ImproperlyConfigured(f"{name}={_redact(raw)!r} must be s3://bucket-name[/prefix] (unset: local disk).")
    if "@" in parsed.netloc or ":" in parsed.netloc or parsed.params or parsed.query or parsed.fragment:
        raise ImproperlyConfigured(
            f"{name}={_redact(raw)!r} must be only s3://bucket-name[/prefix]: the server goes in S3_ENDPOINT_URL, "
            "the credentials in S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY."
        )
    bucket, prefix = parsed.netloc, parsed.path.strip("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: {bucket!r} is not a bucket name (3–63 lowercase letters, digits, dots and hyphens)."
        )
    if prefix and (not _PREFIX.fullmatch(prefix) or any(part in (".", "..") for part in prefix.split("/"))):
        raise ImproperlyConfigured(f"{name}={raw!r}: the prefix {prefix!r} is not a plain folder path.")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": prefix,
        "default_acl": "private",
        "querystring_auth": True,  # a URL, should one ever be asked for, is signed and expires; never public
        "file_overwrite": False,  # like local disk: a new file never replaces an existing one of the same name
    }
    endpoint = env_url("S3_ENDPOINT_URL", schemes=("https", "http"))
    if endpoint:
        options["endpoint_url"] = endpoint
    key_id, secret = env_str("S3_ACCESS_KEY_ID"), env_str("S3_SECRET_ACCESS_KEY")
    if bool(key_id) != bool(secret):
        missing = "S3_SECRET_ACCESS_KEY" if key_id else "S3_ACCESS_KEY_ID"
        raise ImproperlyConfigured(f"{missing} is not set: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together.")
    if key_id:  # otherwise boto3 finds credentials itself (instance role, ~/.aws)
        options["access_key"], options["secret_key"] = key_id, secret
    region = env_str("S3_REGION")
    if region:
        if not _REGION.fullmatch(region):
            raise ImproperlyConfigured(f"S3_REGION={region!r} is not a region name (such as cn-north-1).")
        options["region_name"] = region
    addressing = env_str("S3_ADDRESSING_STYLE", "auto").lower()
    if addressing not in _ADDRESSING:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE={addressing!r} must be one of: {', '.join(_ADDRESSING)}.")
    if addressing != "auto":
        options["addressing_style"] = addressing
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
