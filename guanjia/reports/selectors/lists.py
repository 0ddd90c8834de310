"""S02: the month-end analysis lists, each entry linking to its cases.

Each list is grouped and counted in SQL; only the entries of the page asked for are read, as plain values
(no model instances), and their links are built from one URL prefix per page kind instead of ``reverse()``
per row. ``month_end_lists`` reads every entry (the snapshot frozen when a report is sent); the report's page
and API show ``month_end_page`` of each list: its count and one page of entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case as CaseWhen
from django.db.models import Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from guanjia.cases.models import Department
from guanjia.complaints.models import Complaint
from guanjia.core.links import detail_link
from guanjia.core.periods import month_bounds
from guanjia.estates.models import Project, Unit
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.reports.selectors.scope import _ids
from guanjia.visits.models import ReturnVisit, VisitStatus

#: Entries per page of a month-end list (a group of cases counts as one entry).
PAGE_SIZE = 50
#: The month-end lists, in the order the report shows them.
LIST_NAMES = ("unsatisfied_visits", "repeat_complaints", "repeat_repairs")

_CASE_PAGES = {"complaints.complaint": "complaints:detail", "repairs.repair": "repairs:detail"}


def _time(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _slice(rows: QuerySet[Any, Any], offset: int, limit: int | None) -> QuerySet[Any, Any]:
    return rows[offset : offset + limit] if limit is not None else rows[offset:]


def _units(ids: Iterable[int]) -> dict[int, str]:
    """The address of each unit (``Unit.number``), one query for the page's units."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    return {pk: str(unit) for pk, unit in Unit.objects.select_related("building").in_bulk(wanted).items()}


# --- repeat complaints ----------------------------------------------------------------------------------------


def _complaint_rows(ids: list[int], month: date) -> QuerySet[Any, Any]:
    start, end = month_bounds(month)
    anon_unit = CaseWhen(
        When(customer__isnull=True, then=F("unit_id")), default=Value(None), output_field=models.BigIntegerField()
    )
    return (
        Complaint.objects.filter(project_id__in=ids, received_at__gte=start, received_at__lt=end)
        .filter(Q(customer__isnull=False) | Q(unit__isnull=False))
        .annotate(anon_unit=anon_unit)
    )


def _complaint_groups(ids: list[int], month: date) -> QuerySet[Any, Any]:
    return (
        _complaint_rows(ids, month)
        .values("project_id", "customer_id", "anon_unit", "against_department")
        .annotate(n=Count("id"), max_repeat=Max("repeat_count"))
        .filter(Q(n__gte=2) | Q(max_repeat__gte=1))
        .order_by("-n", "-max_repeat", "customer_id", "anon_unit", "against_department", "project_id")
    )


def repeat_complaints(
    *, projects: Iterable[Project | int], month: date, offset: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """S02 "the same matter complained about 2 or more times in a row".

    A matter is one customer (or, for a complaint without a customer in the archive, one unit) complaining
    about one department (``against_department``). It is listed when, among the complaints received in the
    month, it has 2 or more complaints, or one of them says the matter was raised before without being
    resolved (``repeat_count`` ≥ 1, so this is at least the 2nd time). Complaints with neither customer nor
    unit cannot be matched and are not listed. Each entry links to its complaints, oldest first. Entries
    ``offset`` to ``offset + limit`` (all with ``limit`` None), in three queries.
    """
    ids = _ids(projects)
    groups = list(_slice(_complaint_groups(ids, month), offset, limit))
    if not groups:
        return []
    customers = {g["customer_id"] for g in groups if g["customer_id"] is not None}
    units = {g["anon_unit"] for g in groups if g["anon_unit"] is not None}
    members: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    rows = (
        _complaint_rows(ids, month)
        .filter(Q(customer_id__in=customers) | Q(anon_unit__in=units))
        .filter(against_department__in={g["against_department"] for g in groups})
        .order_by("received_at", "id")
        .values(
            "id", "number", "received_at", "grade", "status", "project_id", "customer_id", "anon_unit",
            "against_department", "customer__name", "unit_id",
        )
    )  # fmt: skip
    for row in rows:
        members[(row["project_id"], row["customer_id"], row["anon_unit"], row["against_department"])].append(row)
    firsts = [members[_complaint_key(g)][0] for g in groups]
    unit_labels = _units(first["unit_id"] for first in firsts)
    link = detail_link("complaints:detail")
    result = []
    for g, first in zip(groups, firsts, strict=True):
        result.append(
            {
                "project": g["project_id"],
                "customer": first["customer__name"] if g["customer_id"] is not None else "",
                "unit": unit_labels.get(first["unit_id"], ""),
                "department": g["against_department"],
                "department_label": str(Department(g["against_department"]).label),
                "count": g["n"],
                "max_repeat_count": g["max_repeat"],
                "complaints": [
                    {
                        "id": c["id"],
                        "number": c["number"],
                        "received_at": _time(c["received_at"]),
                        "grade": c["grade"],
                        "status": c["status"],
                        "url": link(c["id"]),
                    }
                    for c in members[_complaint_key(g)]
                ],
            }
        )
    return result


def _complaint_key(g: dict[str, Any]) -> tuple[Any, ...]:
    return (g["project_id"], g["customer_id"], g["anon_unit"], g["against_department"])


# --- repeat repairs -------------------------------------------------------------------------------------------


def _repair_rows(ids: list[int], month: date) -> QuerySet[Any, Any]:
    start, end = month_bounds(month)
    what = CaseWhen(
        When(price_item__isnull=True, then=Lower(Trim("description"))),
        default=Value(""),
        output_field=models.CharField(),
    )
    return (
        Repair.objects.filter(project_id__in=ids, received_at__gte=start, received_at__lt=end, unit__isnull=False)
        .exclude(status=RepairStatus.CANCELLED)
        .annotate(what=what)
    )


def _repair_groups(ids: list[int], month: date) -> QuerySet[Any, Any]:
    return (
        _repair_rows(ids, month)
        .values("unit_id", "price_item_id", "what")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n", "unit_id", "price_item_id", "what")
    )


def repeat_repairs(
    *, projects: Iterable[Project | int], month: date, offset: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """S02 "the same repair 3 or more times": 3 or more repairs received in the month (cancelled ones aside)
    at one unit for the same standard item (``price_item``), or — for non-standard work — with the same
    description (compared trimmed and in lower case). A calendar month, like every other figure of the
    report, so the list of one month never changes when the next month's repairs come in. Each entry links
    to its repairs, oldest first. Entries ``offset`` to ``offset + limit``, in three queries."""
    ids = _ids(projects)
    groups = list(_slice(_repair_groups(ids, month), offset, limit))
    if not groups:
        return []
    members: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    rows = (
        _repair_rows(ids, month)
        .filter(unit_id__in={g["unit_id"] for g in groups})
        .order_by("received_at", "id")
        .values(
            "id", "number", "received_at", "status", "project_id", "unit_id", "price_item_id", "what",
            "price_item__name", "description",
        )
    )  # fmt: skip
    for row in rows:
        members[(row["unit_id"], row["price_item_id"], row["what"])].append(row)
    unit_labels = _units(g["unit_id"] for g in groups)
    link = detail_link("repairs:detail")
    result = []
    for g in groups:
        cases = members[(g["unit_id"], g["price_item_id"], g["what"])]
        first = cases[0]
        result.append(
            {
                "project": first["project_id"],
                "unit": unit_labels.get(g["unit_id"], ""),
                "unit_id": g["unit_id"],
                "standard": g["price_item_id"] is not None,
                "item": first["price_item__name"]
                if first["price_item_id"] is not None
                else first["description"].strip(),
                "count": g["n"],
                "repairs": [
                    {
                        "id": r["id"],
                        "number": r["number"],
                        "received_at": _time(r["received_at"]),
                        "status": r["status"],
                        "url": link(r["id"]),
                    }
                    for r in cases
                ],
            }
        )
    return result


# --- unsatisfied visits ---------------------------------------------------------------------------------------


def _visit_rows(ids: list[int], month: date) -> QuerySet[ReturnVisit]:
    start, end = month_bounds(month)
    return (
        ReturnVisit.objects.filter(project_id__in=ids, due_at__gte=start, due_at__lt=end, unsatisfied=True)
        .exclude(status=VisitStatus.CANCELLED)
        .order_by("due_at", "id")
    )


def unsatisfied_visits(
    *, projects: Iterable[Project | int], month: date, offset: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """S02 "unqualified return visits": the visits due in the month (as ``visit_figures`` counts them) whose
    result was unsatisfied (V06), each with its case (number and page) and the rectification complaint.
    Entries ``offset`` to ``offset + limit``; one query, and one per kind of case among them for the
    numbers."""
    visits = list(
        _slice(_visit_rows(_ids(projects), month), offset, limit).values(
            "id", "project_id", "case_type", "content_type_id", "object_id", "due_at", "done_at", "satisfaction",
            "shortfalls", "rectification_id",
        )
    )  # fmt: skip
    numbers: dict[tuple[int, int], str] = {}
    by_type: dict[int, list[int]] = defaultdict(list)
    for visit in visits:
        by_type[visit["content_type_id"]].append(visit["object_id"])
    pages: dict[int, Callable[[Any], str] | None] = {}
    for type_id, object_ids in by_type.items():
        content_type = ContentType.objects.get_for_id(type_id)
        page = _CASE_PAGES.get(f"{content_type.app_label}.{content_type.model}")
        pages[type_id] = detail_link(page) if page else None
        model = content_type.model_class()
        if model is not None and hasattr(model, "number"):
            for pk, number in model._default_manager.filter(pk__in=object_ids).values_list("pk", "number"):
                numbers[(type_id, pk)] = number
    rectification_link = detail_link("complaints:detail")
    result = []
    for visit in visits:
        type_id, object_id, rectification = visit["content_type_id"], visit["object_id"], visit["rectification_id"]
        case_link = pages[type_id]
        result.append(
            {
                "id": visit["id"],
                "project": visit["project_id"],
                "case_type": visit["case_type"],
                "case_id": object_id,
                "case_number": numbers.get((type_id, object_id), ""),
                "url": case_link(object_id) if case_link is not None else None,
                "due_at": _time(visit["due_at"]),
                "done_at": _time(visit["done_at"]),
                "satisfaction": visit["satisfaction"],
                "shortfalls": visit["shortfalls"],
                "rectification": rectification,
                "rectification_url": rectification_link(rectification) if rectification else None,
            }
        )
    return result


# --- the lists together ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthEndList:
    """One S02 list: how its entries are counted in SQL and how a slice of them is read."""

    count: Callable[[list[int], date], int]
    entries: Callable[..., list[dict[str, Any]]]


MONTH_END_LISTS: dict[str, MonthEndList] = {
    "unsatisfied_visits": MonthEndList(lambda ids, m: _visit_rows(ids, m).count(), unsatisfied_visits),
    "repeat_complaints": MonthEndList(lambda ids, m: _complaint_groups(ids, m).count(), repeat_complaints),
    "repeat_repairs": MonthEndList(lambda ids, m: _repair_groups(ids, m).count(), repeat_repairs),
}


def month_end_lists(*, projects: Iterable[Project | int], month: date) -> dict[str, list[dict[str, Any]]]:
    """S02: every entry of the three month-end lists (the snapshot frozen when a report is sent)."""
    ids = _ids(projects)
    return {name: MONTH_END_LISTS[name].entries(projects=ids, month=month) for name in LIST_NAMES}


def page_info(name: str, count: int, page: int, page_size: int | None = None) -> dict[str, Any]:
    """The paging fields of one page of list ``name`` holding ``count`` entries (``PAGE_SIZE`` a page)."""
    page_size = page_size or PAGE_SIZE
    pages = max(1, -(-count // page_size))
    return {"name": name, "count": count, "page": page, "page_size": page_size, "pages": pages}


def month_end_page(
    name: str, *, projects: Iterable[Project | int], month: date, page: int = 1, page_size: int | None = None
) -> dict[str, Any]:
    """One page (1-based) of month-end list ``name`` (KeyError for an unknown name): its ``count`` of
    entries, ``pages`` and the page's ``results``. A page past the end is empty. A fixed number of queries."""
    spec = MONTH_END_LISTS[name]
    ids = _ids(projects)
    info = page_info(name, spec.count(ids, month), page, page_size)
    offset = (page - 1) * info["page_size"]
    fits = offset < info["count"]
    info["results"] = spec.entries(projects=ids, month=month, offset=offset, limit=info["page_size"]) if fits else []
    return info


def frozen_page(name: str, entries: list[dict[str, Any]], page: int = 1) -> dict[str, Any]:
    """One page of a list frozen in a sent report (the same fields as ``month_end_page``)."""
    info = page_info(name, len(entries), page)
    size = info["page_size"]
    info["results"] = entries[(page - 1) * size : page * size]
    return info
