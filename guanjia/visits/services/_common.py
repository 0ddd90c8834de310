"""What the writes of visits share: the time-limit kinds, input checks, the people to tell, and where a visit's
events go (its case's timeline)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.core import clean
from guanjia.estates.models import Project
from guanjia.notifications.selectors import staff_with_roles
from guanjia.timeline.services import record
from guanjia.visits.models import CaseType, ReturnVisit, Satisfaction

#: V03: visits of these complaint grades (and of incidents) must be on site.
ON_SITE_GRADES = frozenset({"major", "critical"})
#: The sweep reminds the visitor this long before a visit falls due: the start of its last day.
VISIT_REMIND_BEFORE = timedelta(days=1)
#: A phone call that did not reach the customer is tried again after this long unless a time is given.
RETRY_AFTER = timedelta(hours=2)
#: V10: visit records are kept this many years; only older ones may be purged.
TEXT_MAX = 2000

VISIT_KIND = "visit"
FOLLOWUP_KIND = "visit_followup"


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionError("not allowed")


def _text(value: Any, field: str, *, required: bool = False, max_length: int = TEXT_MAX) -> str:
    return clean.text(value, field, required=required, max_length=max_length)


def _when(value: Any, field: str, *, now: datetime, not_before: datetime | None = None) -> datetime:
    """A time that has happened: default now, never in the future, never before ``not_before``."""
    value = clean.past_time(value, now=now, field=field)
    if not_before is not None and value < not_before:
        raise _error(field, _("时间不能早于 %(t)s") % {"t": timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M")})
    return value


def _people(project: Project, roles: Iterable[str]) -> list[Any]:
    return list(staff_with_roles(project, roles))


def _visit_url(visit: ReturnVisit) -> str:
    return reverse("visits:visit", args=[visit.pk])


def _subject(visit: ReturnVisit) -> models.Model:
    """Where a visit's events go: on its case's timeline (the visit itself if the case is gone)."""
    case = visit.case
    return case if isinstance(case, models.Model) else visit


def _record_on_case(*, subject: models.Model, data: dict[str, Any], **event: Any) -> object:
    """The recorder of a visit's status change (``guanjia.core.states.transition``): on its case's timeline,
    without the visit's own "from"/"to", which the case's page would read as the case's statuses."""
    assert isinstance(subject, ReturnVisit)
    kept = {key: value for key, value in data.items() if key not in ("from", "to")}
    return record(subject=_subject(subject), project=subject.project, data=kept, **event)


def _level_label(visit: ReturnVisit) -> str:
    return str(Satisfaction(visit.satisfaction).label) if visit.satisfaction else ""


def _case_label(visit: ReturnVisit) -> str:
    case = visit.case
    number = getattr(case, "number", "") or getattr(case, "title", "") or f"#{visit.object_id}"
    return f"{CaseType(visit.case_type).label} {number}"
