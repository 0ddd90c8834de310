"""What the work-order services share: the clock, the time of a step (``check_at``), the versioned save and the
messages to the people of an order. Private to ``guanjia.repairs.services``."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import User
from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.repairs.models import (
    Repair,
)


def _now() -> datetime:
    """The clock of the work orders (the package re-exports it as ``guanjia.repairs.services._now``)."""
    return timezone.now()


def _clock() -> datetime:
    """Now, read through the package: tests move the clock by replacing ``guanjia.repairs.services._now``, and
    every module of the package must see the replaced one."""
    package: Any = sys.modules["guanjia.repairs.services"]
    now: datetime = package._now()
    return now


def check_at(
    at: datetime | None,
    *,
    repair: Repair | None = None,
    field: str = "at",
    after: datetime | None = None,
    after_label: str = "",
) -> datetime:
    """When a step happened: default now; never in the future, never before the request was received nor
    before ``after`` (the previous step). Paper orders are typed in after the fact, so the past is fine."""
    at = clean.past_time(at, now=_clock(), field=field)
    if repair is not None and at < repair.received_at:
        raise ValidationError({field: [_("时间不能早于报修受理时间 %(t)s") % {"t": _fmt(repair.received_at)}]})
    if after is not None and at < after:
        raise ValidationError({field: [_("时间不能早于%(label)s %(t)s") % {"label": after_label, "t": _fmt(after)}]})
    return at


def _fmt(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionError("actor may not do this to the repair")


def _save(repair: Repair, **fields: Any) -> None:
    """Write ``fields`` if nobody changed the order since it was read (its version), else ConflictError."""
    if Repair.objects.filter(pk=repair.pk, version=repair.version).update(version=F("version") + 1, **fields) != 1:
        raise ConflictError(_("报修单已被他人修改，请刷新后再试。"))
    for name, value in fields.items():
        setattr(repair, name, value)
    repair.version += 1


def _recipients(repair: Repair, roles: Iterable[str]) -> list[User]:
    return list(staff_with_roles(repair.project, roles))


def _tell(repair: Repair, *, people: Iterable[User], title: str, kind: str, level: str = Level.INFO) -> None:
    notify(
        recipients=people,
        kind=kind,
        title=title,
        body=repair.description[:200],
        url=reverse("repairs:detail", args=[repair.pk]),
        project=repair.project,
        level=level,
        dedupe_key=f"{kind}:{repair.pk}",
    )
