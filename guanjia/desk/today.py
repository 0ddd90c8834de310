"""Each role's "today" on the desk's first page (工作台): the few things to do next, each one tap from its page.

Every section reads through the selectors of its app and is scoped to the user's current project (already
checked by ``CurrentProjectMiddleware`` against ``accounts.access``) and to what the user may see (``scope``).
Every list shows at most ``LIMIT`` rows and its total, with a link to the full page: the number of queries
does not grow with the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils.translation import gettext as _

from guanjia.accounts.access import scope
from guanjia.complaints.models import OPEN_STATUSES as COMPLAINT_OPEN
from guanjia.complaints.models import Complaint
from guanjia.dutylog.models import Handover, HandoverStatus
from guanjia.dutylog.selectors import DEFAULT_HANDOVER_HOURS, case_deadlines_due
from guanjia.estates.models import Project
from guanjia.frontdesk.models import CustodyKind, CustodyStatus
from guanjia.frontdesk.selectors import open_custody_items, visitors_inside
from guanjia.repairs.models import OPEN_STATUSES as REPAIR_OPEN
from guanjia.repairs.models import Repair
from guanjia.repairs.selectors import repair_list, repairs_for_technician
from guanjia.visits.selectors import OPEN as VISIT_OPEN
from guanjia.visits.selectors import visits_for

#: Rows per list on the first page; the list's own page has the rest.
LIMIT = 5
#: What waits at the desk for someone to pick it up (the 快递与转交 tab of the ledgers).
PARCEL_KINDS = (CustodyKind.PARCEL, CustodyKind.MAIL, CustodyKind.LEFT_ITEM)


@dataclass
class Row:
    title: str
    url: str
    detail: str = ""
    when: datetime | None = None
    overdue: bool = False


@dataclass
class Section:
    """One list of the first page: ``rows`` (at most ``LIMIT``) out of ``total``, and where the rest are."""

    key: str
    title: str
    rows: list[Row]
    total: int
    more_url: str
    empty: str = ""
    more_label: str = ""

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


@dataclass
class Today:
    page: str
    sections: list[Section] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def section(
    key: str,
    title: str,
    rows: QuerySet[Any],
    to_row: Callable[[Any], Row],
    *,
    more_url: str,
    empty: str,
) -> Section:
    """The first ``LIMIT`` of ``rows`` and how many there are in all, in one query (plus what ``rows``
    prefetches): the count is a window over the whole result, computed before the limit."""
    first = list(rows.annotate(today_total=Window(Count("pk")))[:LIMIT])
    total = first[0].today_total if first else 0
    return Section(
        key=key, title=title, rows=[to_row(item) for item in first], total=total, more_url=more_url, empty=empty
    )


def _unit(obj: Any) -> str:
    unit = getattr(obj, "unit", None)
    return str(unit) if unit is not None else ""


def _join(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p)


# --- Front desk -----------------------------------------------------------------------------------------------


def front_desk(user: Any, project: Project, now: datetime) -> Today:
    """What falls due next, parcels waiting, visitors inside, the handover to sign, the desk's return visits."""
    due = case_deadlines_due(project, now, DEFAULT_HANDOVER_HOURS)
    deadlines = Section(
        key="due",
        title=_("即将到期"),
        rows=[
            Row(
                title=_join(d["case_type"], d["number"]),
                url=d["url"],
                detail=_join(d["kind"], d["summary"]),
                when=d["due_at"],
                overdue=d["overdue"],
            )
            for d in due[:LIMIT]
        ],
        total=len(due),
        more_url=reverse("duty:today"),
        empty=_("%(hours)s 小时内没有到期的事项") % {"hours": DEFAULT_HANDOVER_HOURS},
    )
    frontdesk = reverse("frontdesk:home")
    waiting = open_custody_items(project).filter(status=CustodyStatus.HELD, kind__in=PARCEL_KINDS)
    parcels = section(
        "parcels",
        _("待取快递与物品"),
        waiting,
        lambda item: Row(
            title=_join(item.get_kind_display(), item.owner_name or item.owner_customer or item.owner_unit),
            url=f"{frontdesk}?tab=parcels",
            detail=_join(item.description, item.shelf and _("存放：%(shelf)s") % {"shelf": item.shelf}),
            when=item.received_at,
        ),
        more_url=f"{frontdesk}?tab=parcels",
        empty=_("没有待取的快递"),
    )
    visitors = section(
        "visitors",
        _("在访访客"),
        visitors_inside(project),
        lambda v: Row(
            title=_join(v.name, v.get_status_display()),
            url=f"{frontdesk}?tab=visitors",
            detail=_join(v.host_unit, v.purpose),
            when=v.arrived_at,
        ),
        more_url=f"{frontdesk}?tab=visitors",
        empty=_("目前没有在访访客"),
    )
    submitted = scope(Handover.objects.filter(project=project, status=HandoverStatus.SUBMITTED), user)
    handovers = section(
        "handover",
        _("待签交接班"),
        submitted.select_related("shift", "submitted_by").order_by("submitted_at", "id"),
        lambda h: Row(
            title=_("%(who)s 的交班") % {"who": h.submitted_by.display_name},
            url=reverse("duty:handover", args=[h.shift_id]),
            detail=str(h.shift),
            when=h.submitted_at,
        ),
        more_url=reverse("duty:today"),
        empty=_("没有待签的交接班"),
    )
    visits = section(
        "visits",
        _("我的回访"),
        _visits_due(user, project),
        lambda v: _visit_row(v, now),
        more_url=reverse("visits:mine"),
        empty=_("没有待做的回访"),
    )
    return Today(page="front_desk", sections=[deadlines, parcels, visitors, handovers, visits])


# --- Butler ---------------------------------------------------------------------------------------------------


def butler(user: Any, project: Project, now: datetime) -> Today:
    """Their households' open cases, their return visits due, keys out."""
    complaints = section(
        "complaints",
        _("我负责住户的投诉"),
        scope(Complaint.objects.filter(project=project, status__in=COMPLAINT_OPEN, unit__butler=user), user)
        .select_related("unit__building", "customer")
        .order_by("received_at", "id"),
        lambda c: Row(
            title=_join(c.number, c.get_status_display()),
            url=reverse("complaints:detail", args=[c.pk]),
            detail=_join(_unit(c), c.description[:60]),
            when=c.received_at,
        ),
        more_url=reverse("complaints:board"),
        empty=_("您负责的住户没有未结投诉"),
    )
    repairs = section(
        "repairs",
        _("我负责住户的报修"),
        repair_list(user, project_id=project.pk, open_only=True)
        .filter(unit__butler=user)
        .order_by("received_at", "id"),
        lambda r: Row(
            title=_join(r.number, r.get_status_display()),
            url=reverse("repairs:detail", args=[r.pk]),
            detail=_join(_unit(r), r.description[:60]),
            when=r.next_due_at,
            overdue=r.next_due_at is not None and r.next_due_at <= now,
        ),
        more_url=reverse("repairs:desk"),
        empty=_("您负责的住户没有未结报修"),
    )
    visits = section(
        "visits",
        _("我的回访"),
        _visits_due(user, project).filter(unit__butler=user),
        lambda v: _visit_row(v, now),
        more_url=reverse("visits:mine"),
        empty=_("没有待做的回访"),
    )
    keys = section(
        "keys",
        _("借出的钥匙"),
        open_custody_items(project, CustodyKind.KEY)
        .filter(status=CustodyStatus.HANDED_OVER, owner_unit__butler=user)
        .order_by("due_back_at", "id"),
        lambda k: Row(
            title=_join(k.description, k.owner_unit),
            url=f"{reverse('frontdesk:home')}?tab=keys",
            detail=_join(k.taken_by_name, k.purpose),
            when=k.due_back_at,
            overdue=k.due_back_at is not None and k.due_back_at <= now,
        ),
        more_url=f"{reverse('frontdesk:home')}?tab=keys",
        empty=_("没有借出的钥匙"),
    )
    return Today(page="butler", sections=[complaints, repairs, visits, keys])


def _visits_due(user: Any, project: Project) -> QuerySet[Any]:
    """Open return visits of the user's role in ``project``, the one due first first."""
    rows = visits_for(user).filter(project=project, status__in=VISIT_OPEN, visitor_role=getattr(user, "role", ""))
    return rows.order_by("due_at", "id")


def _visit_row(v: Any, now: datetime) -> Row:
    return Row(
        title=_join(v.customer or v.unit, v.get_case_type_display()),
        url=reverse("visits:visit", args=[v.pk]),
        detail=_unit(v),
        when=v.due_at,
        overdue=v.due_at is not None and v.due_at <= now,
    )


# --- Technician -----------------------------------------------------------------------------------------------


def technician(user: Any, project: Project, now: datetime) -> Today:
    """Their work orders (and those waiting for someone to accept), and the next appointment."""
    orders = repairs_for_technician(user).filter(project=project)
    mine = section(
        "orders",
        _("我的工单"),
        orders,
        lambda r: Row(
            title=_join(r.number, r.get_status_display()),
            url=reverse("repairs:work", args=[r.pk]),
            detail=_join(_unit(r) or r.location, r.description[:60]),
            when=r.next_due_at,
            overdue=r.next_due_at is not None and r.next_due_at <= now,
        ),
        more_url=reverse("repairs:my_orders"),
        empty=_("没有待处理的工单"),
    )
    upcoming = (
        scope(Repair.objects.filter(project=project, assignee=user, status__in=REPAIR_OPEN), user)
        .filter(appointment_at__gte=now)
        .select_related("unit__building")
        .order_by("appointment_at", "id")
        .first()
    )
    return Today(page="technician", sections=[mine], extra={"appointment": upcoming})


#: The first pages built here, by ``access.today_page``; the office's are in ``today_office``.
TODAY_BUILDERS: dict[str, Callable[[Any, Project, datetime], Today]] = {
    "front_desk": front_desk,
    "butler": butler,
    "technician": technician,
}
