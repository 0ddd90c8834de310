"""S04: the supervisor's daily summary of complaints."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from guanjia.cases.kinds import case_kind
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Complaint
from guanjia.estates.models import Project
from guanjia.reports.selectors.scope import (
    _ids,
)

# --- S04: the supervisor's daily summary -------------------------------------------------------------------


def _complaint_limits(*states: str) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Complaint), subject_id=OuterRef("pk"), state__in=states
    )


def daily_summary(*, projects: Iterable[Project | int], now: datetime | None = None) -> dict[str, Any]:
    """S04: the complaints of the day for the supervisor's review, at ``now`` (default: now).

    - ``new``: received today (Asia/Shanghai), newest first;
    - ``open_by_grade``: every complaint still open (registered, dispatched, acknowledged), per grade;
    - ``overdue``: open complaints with a limit past due and not met (pending past its time, or missed);
    - ``due_today``: open complaints with a pending limit falling due between now and the end of the day;
    - ``completed_today``: how many were completed today.
    Lists are querysets of complaints with customer and unit loaded; a fixed number of queries.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_default_timezone()
    day_start = datetime(today.year, today.month, today.day, tzinfo=tz)
    day_end = day_start + timedelta(days=1)
    ids = _ids(projects)
    base = Complaint.objects.filter(project_id__in=ids).select_related("customer", "unit__building", "project")
    is_open = case_kind("complaint").open_q()
    open_rows = base.filter(is_open)
    late = _complaint_limits(DeadlineState.PENDING).filter(due_at__lte=now)
    missed = _complaint_limits(DeadlineState.MISSED).filter(met_at__isnull=True)
    due_today = _complaint_limits(DeadlineState.PENDING).filter(due_at__gt=now, due_at__lt=day_end)
    counts = base.aggregate(
        new=Count("id", filter=Q(received_at__gte=day_start, received_at__lt=day_end)),
        open=Count("id", filter=is_open),
        completed_today=Count("id", filter=Q(completed_at__gte=day_start, completed_at__lt=day_end)),
        **{f"open_{g}": Count("id", filter=is_open & Q(grade=g)) for g in Grade.values},
    )
    return {
        "day": today,
        "now": now,
        "new_count": counts["new"],
        "open_count": counts["open"],
        "completed_today": counts["completed_today"],
        "open_by_grade": {g: counts[f"open_{g}"] for g in Grade.values},
        "new": base.filter(received_at__gte=day_start, received_at__lt=day_end).order_by("-received_at", "-id"),
        "overdue": open_rows.filter(Q(Exists(late)) | Q(Exists(missed))).order_by("received_at", "id"),
        "due_today": open_rows.filter(Exists(due_today)).order_by("received_at", "id"),
    }
