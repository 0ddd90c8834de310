"""Evidence: records written once and never changed (timeline events, handover snapshots, signatures, photos).

``AppendOnly`` is the one guard: a stored row is never updated or deleted, neither through the instance
(``save()`` of a stored row, ``delete()``) nor through its queryset (``update()``, ``delete()``). A correction is a
new row, so nothing a customer signed or a clerk recorded can be rewritten after the fact. The guard is an
integrity check, not business logic; database-level cascades never reach these rows, which are all protected.

``StoredImage`` is a checked image kept as evidence (a signature drawn on the screen, a photo): the file and its
SHA-256. The upload is checked and re-encoded before it gets here (``guanjia.cases.uploads``); each concrete
model says where its file is stored (``file_path``) and adds its own who and when. ``StoredImage.store`` is the one
way a new one is kept: the checksum taken of the bytes, the file written where the row says, the row inserted.
"""

from __future__ import annotations

import hashlib
from typing import Any, Self, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyError(ValueError):
    """Raised on any attempt to change or remove a stored evidence row.

    A ``ValueError`` so that code which guarded against the older per-app copies keeps catching it."""


def _refuse(model: type[models.Model] | None, what: str) -> AppendOnlyError:
    label = model._meta.label if model is not None else "evidence"
    return AppendOnlyError(f"{label} rows are append-only: never {what}")


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """Refuses bulk changes: ``update()`` and ``delete()`` raise ``AppendOnlyError``."""

    def update(self, **kwargs: Any) -> int:
        raise _refuse(self.model, "updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise _refuse(self.model, "deleted")


class AppendOnly(models.Model):
    """A row that is written once and never updated or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise _refuse(type(self), "updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise _refuse(type(self), "deleted")


def stored_image_path(instance: StoredImage, filename: str) -> str:
    """Where a stored image goes: decided by its row (owner, checksum), never by the uploaded file's name."""
    return instance.file_path(filename)


class StoredImage(AppendOnly):
    """A checked image kept as evidence: the file and the SHA-256 of its stored bytes. Append-only."""

    image = models.FileField(_("文件"), upload_to=stored_image_path)
    sha256 = models.CharField(_("校验值"), max_length=64)

    class Meta:
        abstract = True

    @classmethod
    def store(cls, content: bytes, **fields: Any) -> Self:
        """Keep ``content`` (already checked and re-encoded) as a new row with ``fields``: its SHA-256 is taken of
        these bytes, the file is written where the row says (``file_path``), then the row is inserted. Call it
        inside the transaction that records the event, so a refused write leaves no row behind."""
        row = cls(sha256=hashlib.sha256(content).hexdigest(), **fields)
        # The name given here is not used: ``file_path`` decides it from the row (owner and checksum).
        row.image.save("image", ContentFile(content), save=False)
        row.save()
        return row

    def file_path(self, filename: str) -> str:
        raise NotImplementedError(f"{type(self).__name__} must say where its file is stored")

    @property
    def content_type(self) -> str:
        """The stored file's media type (signatures are PNG; a photo says its own)."""
        return "image/png"


class SignedImage(StoredImage):
    """A signature drawn on the screen (PNG): who signed, when, and the staff member who collected it."""

    signer_name = models.CharField(_("签名人"), max_length=50)
    signed_at = models.DateTimeField(_("签名时间"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
