"""Serving a stored file (a signature, a photo, a kept export) to someone the access policy has let see it.

No file is ever public: there is no media URL. Each kind of file has a view that requires login, finds the
row through ``guanjia.accounts.access`` (another project's file does not exist: 404) and calls
``stream_stored``, which reads the file through the storage API, so local disk and an S3-compatible store
serve alike.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

#: What each stored image format is served as.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def stream_stored(
    field_file: FieldFile | None,
    *,
    content_type: str,
    filename: str = "",
    as_attachment: bool = False,
    cache: str = "private, max-age=3600",
) -> FileResponse:
    """Stream ``field_file`` from its storage; 404 when there is none or the store has lost it."""
    if not field_file or not field_file.name:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (OSError, ValueError):  # FileNotFoundError, a missing S3 object, an unreadable name
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response
