"""The one way a status changes: ``transition``.

A model whose status moves through a workflow declares the moves it allows on the class,
``ALLOWED_TRANSITIONS = {from_status: frozenset({to_status, …})}``, and every change of that status goes
through ``transition``: it locks the row (``select_for_update()`` in ``transaction.atomic()``), checks the move
against the map on the locked row, writes the status with the caller's other fields (and bumps ``version``
when the model has one) and records the change, all in one transaction. A refused move changes nothing and
raises ``TransitionError`` (a 409 in the API, a message on the page) naming both statuses in the user's words.

The kernel imports nothing from the rest of Guanjia, so the timeline is passed in: ``record`` is
``guanjia.timeline.services.record`` (or a wrapper around it that files the event elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from guanjia.core.errors import ConflictError, TransitionError

M = TypeVar("M", bound=models.Model)


class Recorder(Protocol):
    """Appends one event about ``subject`` inside the caller's transaction (``guanjia.timeline.services.record``)."""

    def __call__(
        self,
        *,
        subject: models.Model,
        verb: str,
        actor: Any,
        data: dict[str, Any],
        reason: str,
        at: datetime | None,
    ) -> object: ...


def status_label(model: type[models.Model], status: str) -> str:
    """The words for ``status`` of ``model`` (its choices' label; the raw value when it has none)."""
    field = model._meta.get_field("status")
    return str(dict(field.flatchoices).get(status, status))  # type: ignore[union-attr]


def can_transition(obj: models.Model, to: str) -> bool:
    """Whether ``obj``'s model allows the move from ``obj``'s status (as read) to ``to``."""
    allowed: Mapping[str, frozenset[str]] = type(obj).ALLOWED_TRANSITIONS  # type: ignore[attr-defined]
    return to in allowed.get(obj.status, frozenset())  # type: ignore[attr-defined]


def transition(
    obj: M,
    to: str,
    *,
    actor: Any,
    verb: str,
    record: Recorder,
    fields: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    reason: str = "",
    at: datetime | None = None,
    version: int | None = None,
) -> M:
    """Move ``obj`` to status ``to``, writing ``fields`` with it, and record ``verb`` (data ``from``, ``to`` and
    ``data``; ``actor``, ``reason`` and ``at``) through ``record``, in one transaction.

    ``version``, when given, is the version the caller read: a row changed since raises ``ConflictError``.
    A move the model's ``ALLOWED_TRANSITIONS`` does not allow from the locked row's status raises
    ``TransitionError`` and writes nothing. Returns the locked row as written; ``obj`` gets the new status,
    fields and version too, so a caller may keep using it.
    """
    model = type(obj)
    manager = model._default_manager
    changes: dict[str, Any] = {"status": to, **(fields or {})}
    versioned = any(field.name == "version" for field in model._meta.concrete_fields)
    with transaction.atomic():
        current = manager.select_for_update().get(pk=obj.pk)
        if version is not None and current.version != version:  # type: ignore[attr-defined]
            raise ConflictError(_("%(name)s已被他人修改，请刷新后再试。") % {"name": model._meta.verbose_name})
        before: str = current.status  # type: ignore[attr-defined]
        if not can_transition(current, to):
            raise TransitionError(
                _("%(name)s当前为“%(from)s”，不能变为“%(to)s”")
                % {
                    "name": model._meta.verbose_name,
                    "from": status_label(model, before),
                    "to": status_label(model, to),
                }
            )
        written = dict(changes)
        if versioned:
            written["version"] = F("version") + 1
            changes["version"] = current.version + 1  # type: ignore[attr-defined]
        manager.filter(pk=obj.pk).update(**written)
        for name, value in changes.items():
            setattr(current, name, value)
            setattr(obj, name, value)
        record(
            subject=current,
            verb=verb,
            actor=actor,
            data={"from": before, "to": to, **(data or {})},
            reason=reason,
            at=at,
        )
    return current
