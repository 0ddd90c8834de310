"""Reads of the case core: deadline timeliness for the monthly report (S01, S05) and next limits for boards.

A case's earliest pending limit is stored on it (``Case.next_due_at``, kept by ``cases.deadlines``): a board
orders by that column (``F("next_due_at").asc(nulls_last=True)``) and reads the limits themselves with
``next_due_for``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, F, Q, QuerySet

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.estates.models import Project


@dataclass(frozen=True)
class Timeliness:
    """One kind of limit over a period. ``met_on_time + met_late + missed + pending == due``."""

    kind: str
    due: int
    met_on_time: int
    met_late: int
    missed: int
    pending: int

    @property
    def on_time_rate(self) -> float | None:
        """Share of the decided limits (not pending) that were kept; None when none is decided yet."""
        decided = self.due - self.pending
        return self.met_on_time / decided if decided else None


def timeliness(
    *, project: Project, start: datetime, end: datetime, model: type[models.Model] | None = None
) -> dict[str, Timeliness]:
    """Per kind, the limits of ``project`` falling due in [start, end): kept on time, kept late, missed and
    never kept, still pending. Replaced (cancelled) limits do not count. ``model`` narrows to one kind of
    subject (complaints or repairs). One aggregate query."""
    rows = Deadline.objects.filter(project=project, due_at__gte=start, due_at__lt=end).exclude(
        state=DeadlineState.CANCELLED
    )
    if model is not None:
        rows = rows.filter(subject_type=ContentType.objects.get_for_model(model))
    on_time = Q(met_at__isnull=False, met_at__lte=F("due_at"))
    late = Q(met_at__isnull=False, met_at__gt=F("due_at"))
    figures = (
        rows.values("kind")
        .annotate(
            n_due=Count("id"),
            n_on_time=Count("id", filter=on_time),
            n_late=Count("id", filter=late),
            n_missed=Count("id", filter=Q(state=DeadlineState.MISSED, met_at__isnull=True)),
            n_pending=Count("id", filter=Q(state=DeadlineState.PENDING)),
        )
        .order_by("kind")
    )
    return {
        row["kind"]: Timeliness(
            kind=row["kind"],
            due=row["n_due"],
            met_on_time=row["n_on_time"],
            met_late=row["n_late"],
            missed=row["n_missed"],
            pending=row["n_pending"],
        )
        for row in figures
    }


def deadlines_for(subject: models.Model) -> QuerySet[Deadline]:
    """Every limit of ``subject``, replaced ones included, in due order: the case page's deadline list."""
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).order_by("due_at", "id")


def next_due_for(subjects: Sequence[models.Model]) -> dict[int, Deadline]:
    """The earliest pending limit of each subject (all of one model), keyed by the subject's pk: one query."""
    if not subjects:
        return {}
    content_type = ContentType.objects.get_for_model(subjects[0])
    pending = Deadline.objects.filter(
        subject_type=content_type, subject_id__in=[s.pk for s in subjects], state=DeadlineState.PENDING
    ).order_by("subject_id", "due_at", "id")
    result: dict[int, Deadline] = {}
    for deadline in pending:
        result.setdefault(deadline.subject_id, deadline)
    return result
