"""The month-end lists (S02) as they were defined before paging: a model instance per case and a ``reverse()``
per link. Kept only as the oracle the paged selectors (``reports.selectors.lists``) are compared with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case as CaseWhen
from django.db.models import Count, F, Max, Q, Value, When
from django.db.models.functions import Lower, Trim
from django.urls import reverse
from django.utils import timezone

from guanjia.cases.models import Department
from guanjia.complaints.models import Complaint
from guanjia.core.periods import month_bounds
from guanjia.estates.models import Project
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.reports.selectors.scope import _ids
from guanjia.visits.models import ReturnVisit, VisitStatus

# --- S02: month-end analysis lists ------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _complaint_link(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "number": complaint.number,
        "received_at": _time(complaint.received_at),
        "grade": complaint.grade,
        "status": complaint.status,
        "url": reverse("complaints:detail", args=[complaint.pk]),
    }


def repeat_complaints(*, projects: Iterable[Project | int], month: date) -> list[dict[str, Any]]:
    """S02 "the same matter complained about 2 or more times in a row".

    A matter is one customer (or, for a complaint without a customer in the archive, one unit) complaining
    about one department (``against_department``). It is listed when, among the complaints received in the
    month, it has 2 or more complaints, or one of them says the matter was raised before without being
    resolved (``repeat_count`` ≥ 1, so this is at least the 2nd time). Complaints with neither customer nor
    unit cannot be matched and are not listed. Each entry links to its complaints, oldest first.
    """
    start, end = month_bounds(month)
    rows = Complaint.objects.filter(
        project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end
    ).annotate(
        anon_unit=CaseWhen(
            When(customer__isnull=True, then=F("unit_id")), default=Value(None), output_field=models.BigIntegerField()
        )
    )
    rows = rows.filter(Q(customer__isnull=False) | Q(unit__isnull=False))
    groups = list(
        rows.values("project_id", "customer_id", "anon_unit", "against_department")
        .annotate(n=Count("id"), max_repeat=Max("repeat_count"))
        .filter(Q(n__gte=2) | Q(max_repeat__gte=1))
        .order_by("-n", "-max_repeat", "customer_id", "anon_unit", "against_department")
    )
    if not groups:
        return []
    customers = {g["customer_id"] for g in groups if g["customer_id"] is not None}
    units = {g["anon_unit"] for g in groups if g["anon_unit"] is not None}
    members: dict[tuple[Any, ...], list[Complaint]] = defaultdict(list)
    for complaint in (
        rows.filter(Q(customer_id__in=customers) | Q(anon_unit__in=units))
        .select_related("customer", "unit__building")
        .order_by("received_at", "id")
    ):
        key = (complaint.project_id, complaint.customer_id, complaint.anon_unit, complaint.against_department)
        members[key].append(complaint)
    result = []
    for g in groups:
        cases = members[(g["project_id"], g["customer_id"], g["anon_unit"], g["against_department"])]
        first = cases[0]
        result.append(
            {
                "project": g["project_id"],
                "customer": first.display_customer if g["customer_id"] is not None else "",
                "unit": str(first.unit) if first.unit_id is not None else "",
                "department": g["against_department"],
                "department_label": str(Department(g["against_department"]).label),
                "count": g["n"],
                "max_repeat_count": g["max_repeat"],
                "complaints": [_complaint_link(c) for c in cases],
            }
        )
    return result


def repeat_repairs(*, projects: Iterable[Project | int], month: date) -> list[dict[str, Any]]:
    """S02 "the same repair 3 or more times": 3 or more repairs received in the month (cancelled ones aside)
    at one unit for the same standard item (``price_item``), or — for non-standard work — with the same
    description (compared trimmed and in lower case). A calendar month, like every other figure of the
    report, so the list of one month never changes when the next month's repairs come in. Each entry links
    to its repairs, oldest first."""
    start, end = month_bounds(month)
    rows = (
        Repair.objects.filter(
            project_id__in=_ids(projects), received_at__gte=start, received_at__lt=end, unit__isnull=False
        )
        .exclude(status=RepairStatus.CANCELLED)
        .annotate(
            what=CaseWhen(
                When(price_item__isnull=True, then=Lower(Trim("description"))),
                default=Value(""),
                output_field=models.CharField(),
            )
        )
    )
    groups = list(
        rows.values("unit_id", "price_item_id", "what")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n", "unit_id", "price_item_id", "what")
    )
    if not groups:
        return []
    members: dict[tuple[Any, ...], list[Repair]] = defaultdict(list)
    for repair in (
        rows.filter(unit_id__in={g["unit_id"] for g in groups})
        .select_related("unit__building", "price_item")
        .order_by("received_at", "id")
    ):
        members[(repair.unit_id, repair.price_item_id, repair.what)].append(repair)
    result = []
    for g in groups:
        cases = members[(g["unit_id"], g["price_item_id"], g["what"])]
        first = cases[0]
        result.append(
            {
                "project": first.project_id,
                "unit": str(first.unit),
                "unit_id": g["unit_id"],
                "standard": g["price_item_id"] is not None,
                "item": first.price_item.name if first.price_item is not None else first.description.strip(),
                "count": g["n"],
                "repairs": [
                    {
                        "id": r.pk,
                        "number": r.number,
                        "received_at": _time(r.received_at),
                        "status": r.status,
                        "url": reverse("repairs:detail", args=[r.pk]),
                    }
                    for r in cases
                ],
            }
        )
    return result


_CASE_PAGES = {"complaints.complaint": "complaints:detail", "repairs.repair": "repairs:detail"}


def unsatisfied_visits(*, projects: Iterable[Project | int], month: date) -> list[dict[str, Any]]:
    """S02 "unqualified return visits": the visits due in the month (as ``visit_figures`` counts them) whose
    result was unsatisfied (V06), each with its case (number and page) and the rectification complaint."""
    start, end = month_bounds(month)
    visits = list(
        ReturnVisit.objects.filter(project_id__in=_ids(projects), due_at__gte=start, due_at__lt=end, unsatisfied=True)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("content_type")
        .order_by("due_at", "id")
    )
    numbers: dict[tuple[int, int], str] = {}
    by_type: dict[int, list[int]] = defaultdict(list)
    for visit in visits:
        by_type[visit.content_type_id].append(visit.object_id)
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None and hasattr(model, "number"):
            for pk, number in model._default_manager.filter(pk__in=ids).values_list("pk", "number"):
                numbers[(type_id, pk)] = number
    result = []
    for visit in visits:
        label = f"{visit.content_type.app_label}.{visit.content_type.model}"
        page = _CASE_PAGES.get(label)
        rectification = visit.rectification_id
        result.append(
            {
                "id": visit.pk,
                "project": visit.project_id,
                "case_type": visit.case_type,
                "case_id": visit.object_id,
                "case_number": numbers.get((visit.content_type_id, visit.object_id), ""),
                "url": reverse(page, args=[visit.object_id]) if page else None,
                "due_at": _time(visit.due_at),
                "done_at": _time(visit.done_at),
                "satisfaction": visit.satisfaction,
                "shortfalls": visit.shortfalls,
                "rectification": rectification,
                "rectification_url": reverse("complaints:detail", args=[rectification]) if rectification else None,
            }
        )
    return result


def month_end_lists(*, projects: Iterable[Project | int], month: date) -> dict[str, list[dict[str, Any]]]:
    """S02: the three month-end analysis lists (see each selector for its definition)."""
    ids = _ids(projects)
    return {
        "repeat_complaints": repeat_complaints(projects=ids, month=month),
        "repeat_repairs": repeat_repairs(projects=ids, month=month),
        "unsatisfied_visits": unsatisfied_visits(projects=ids, month=month),
    }
