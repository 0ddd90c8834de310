"""Reads behind the exports (S03), the retention purge (S06) and the follow-up reviews (S07).

An export is a list of sheets; a sheet is its Chinese column headers and a ``values()`` queryset read with
``.iterator()``, so a 100,000-row export never holds its rows in Python. Every figure is aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import get_for_user, mask_phone, scope, visible_projects
from guanjia.accounts.models import Role
from guanjia.cases.kinds import any_limit_missed, case_kind
from guanjia.cases.models import Department
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Channel, Complaint, ComplaintStatus, Nature
from guanjia.core.periods import Period, parse_month
from guanjia.estates.models import CustomerPhone, Project
from guanjia.exports.chunks import Clock, EpochMicros, first_phones, latest_limits, micros_of
from guanjia.exports.models import ExportJob, ExportKind, JobPurpose, RetentionPurge, YearlyReview
from guanjia.followup.models import FollowUpCall, FollowUpPlan
from guanjia.frontdesk.models import ConfirmMethod, CustodyItem, CustodyKind, CustodyStatus, Visitor, VisitorStatus
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.visits.models import CaseType, Method, ReturnVisit, Satisfaction, VisitStatus

#: Rows read from the database per round trip while an export is written.
CHUNK_SIZE = 2000
#: Exports with more rows than this run as a background job with a progress bar; smaller ones download at once.
DIRECT_MAX_ROWS = 5000


class ParamError(ValueError):
    """Bad export parameters: ``field`` is the query parameter, ``message`` says what is wrong (translated)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ExportRequest:
    project: Project
    kind: str
    period: Period


def month_param(value: str, field: str = "month") -> Period:
    """The month named ``YYYY-MM`` (``core.periods.parse_month``); ParamError naming ``field`` otherwise."""
    try:
        return Period.month_of(parse_month(value))
    except ValueError:
        raise ParamError(field, _("月份格式应为 YYYY-MM，例如 2026-03")) from None


def _parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ParamError(field, _("日期格式应为 YYYY-MM-DD，例如 2026-03-01")) from None


def parse_period(params: Any, *, today: date | None = None) -> Period:
    """``month=YYYY-MM``, or ``from=YYYY-MM-DD&to=YYYY-MM-DD`` (both days included); the current month if
    neither is given. Raises ParamError naming the field."""
    month, start, end = params.get("month", ""), params.get("from", ""), params.get("to", "")
    if month and (start or end):
        raise ParamError("month", _("请只填写月份，或只填写起止日期"))
    if month:
        return month_param(month)
    if start or end:
        if not start:
            raise ParamError("from", _("请填写起始日期"))
        if not end:
            raise ParamError("to", _("请填写截止日期"))
        period = Period(_parse_day(start, "from"), _parse_day(end, "to"))
        if period.start > period.end:
            raise ParamError("to", _("截止日期不能早于起始日期"))
        if (period.end - period.start).days > 366 * 5:
            raise ParamError("to", _("一次最多导出五年"))
        return period
    today = today or timezone.localdate()
    return Period.month(today.year, today.month)


def parse_project(user: Any, value: str | None) -> Project:
    """The visible project named by ``value``; with no value, the user's only project. ParamError otherwise:
    a project the user may not see is as unknown as one that does not exist."""
    projects = visible_projects(user)
    if not value:
        only = list(projects[:2])
        if len(only) == 1:
            return only[0]
        raise ParamError("project", _("请选择项目"))
    try:
        return projects.get(pk=int(value))
    except (ValueError, Project.DoesNotExist):
        raise ParamError("project", _("未知项目")) from None


def parse_kind(value: str | None) -> str:
    kind = (value or "").replace("-", "_")
    if kind not in ExportKind.values:
        raise ParamError("kind", _("未知导出类别"))
    return kind


# --- Cell formats --------------------------------------------------------------------------------------------


def _local(value: datetime | None) -> datetime | None:
    """Excel has no time zones: a naive Beijing time (the site's time zone, whatever the reader's)."""
    return value.astimezone(timezone.get_default_timezone()).replace(tzinfo=None) if value is not None else None


def _mapping(choices: Any) -> dict[Any, str]:
    return {value: str(label) for value, label in choices.choices}


def _labels(choices: Any) -> Callable[[Any], str]:
    mapping = _mapping(choices)
    return lambda value: mapping.get(value, value or "")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("是") if value else _("否")


def _on_time(due: datetime | None, met: datetime | None, now: datetime) -> str:
    """是 when met by the limit, 否 when met late or the limit passed unmet, blank while still running."""
    if due is None:
        return ""
    if met is not None:
        return _yes_no(met <= due)
    return _yes_no(False) if due < now else ""


class _Verdicts:
    """``_yes_no`` and ``_on_time`` with their two labels translated once per sheet, not once per cell."""

    def __init__(self) -> None:
        self.yes, self.no = _("是"), _("否")

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.yes if value else self.no

    def on_time(self, due: datetime | None, met: datetime | None, now: datetime) -> str:
        if due is None:
            return ""
        if met is not None:
            return self.yes if met <= due else self.no
        return self.no if due < now else ""


def _masked(value: str | None) -> str:
    return mask_phone(value) if value else ""


def _unit(row: dict[str, Any], prefix: str = "unit__") -> str:
    return _unit_text(
        row.get(f"{prefix}building__number"),
        row.get(f"{prefix}building__name"),
        row.get(f"{prefix}entrance"),
        row.get(f"{prefix}room"),
    )


def _unit_text(number: Any, name: str | None, entrance: str | None, room: str | None) -> str:
    if not room:
        return ""
    building = name or f"{number}栋"
    return f"{building}{entrance}单元{room}" if entrance else f"{building}{room}"


UNIT_FIELDS = ("unit__building__number", "unit__building__name", "unit__entrance", "unit__room")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its title, its Chinese headers and widths, the rows as a ``values()`` queryset, and how
    one values() dict becomes one spreadsheet row."""

    title: str
    headers: tuple[tuple[str, int], ...]
    rows: QuerySet[Any, Any]
    to_row: Callable[[dict[str, Any]], tuple[Any, ...]] | None
    #: Adds to a chunk of rows what is read once per chunk rather than per row (None: nothing to add).
    enrich: Callable[[list[dict[str, Any]]], None] | None = None
    #: Instead of ``enrich`` and ``to_row``: a whole chunk of ``rows`` to its spreadsheet rows.
    chunk_rows: Callable[[list[Any]], Iterator[tuple[Any, ...]]] | None = None


def _first_phone() -> Subquery:
    return Subquery(
        CustomerPhone.objects.filter(customer=OuterRef("customer_id")).order_by("position", "id").values("number")[:1]
    )


#: The complaint sheet's columns read per row, in this order (``complaint_sheet``'s chunk_rows reads by index).
COMPLAINT_FIELDS = (
    "id", "number", "received", "customer__name", "customer_name", "contact_phone", "customer_id", *UNIT_FIELDS,
    "location", "channel", "against_department", "grade", "nature", "status", "description", "customer_request",
    "completed", "result",
)  # fmt: skip


def complaint_sheet(project: Project, period: Period, now: datetime) -> Sheet:
    """The complaint flow. Rows are read as tuples, times as integers (``exports.stamps``), and per chunk the
    latest response and resolve limits and the first phone of each customer without a contact phone."""
    rows = (
        Complaint.objects.filter(project=project, received_at__gte=period.start_at, received_at__lt=period.end_at)
        .order_by("received_at", "id")
        .annotate(received=EpochMicros("received_at"), completed=EpochMicros("completed_at"))
        .values_list(*COMPLAINT_FIELDS)
    )
    channel, department, grade = _mapping(Channel), _mapping(Department), _mapping(Grade)
    nature, status = _mapping(Nature), _mapping(ComplaintStatus)
    verdict, clock, now_us = _Verdicts(), Clock(timezone.get_default_timezone()), micros_of(now)
    serial, yes, no, none = clock.serial, verdict.yes, verdict.no, (None, None)

    def on_time(due: int | None, met: int | None) -> str:
        if due is None:
            return ""
        if met is not None:
            return yes if met <= due else no
        return no if due < now_us else ""

    def chunk_rows(chunk: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        limits = latest_limits(Complaint, [r[0] for r in chunk], ("response", "resolve"))
        phones = first_phones({r[6] for r in chunk if not r[5] and r[6] is not None})
        for (
            pk, number, received, customer, customer_name, contact, customer_id, b_number, b_name, entrance, room,
            location, chan, dept, grad, nat, stat, description, request, completed, result,
        ) in chunk:  # fmt: skip
            response_due, response_met = limits.get((pk, "response"), none)
            resolve_due, resolve_met = limits.get((pk, "resolve"), none)
            phone = contact or phones.get(customer_id)
            yield (
                number, serial(received), customer or customer_name, mask_phone(phone) if phone else "",
                _unit_text(b_number, b_name, entrance, room) or location, channel.get(chan, chan or ""),
                department.get(dept, dept or ""), grade.get(grad, grad or ""), nature.get(nat, nat or ""),
                status.get(stat, stat or ""), description, request, serial(response_due),
                on_time(response_due, response_met), serial(resolve_due), serial(completed),
                on_time(resolve_due, resolve_met if resolve_met is not None else completed), result,
            )  # fmt: skip

    headers = (
        (_("编号"), 16), (_("受理时间"), 18), (_("客户"), 10), (_("联系电话"), 14), (_("房号"), 16), (_("渠道"), 8),
        (_("被投诉部门"), 10), (_("级别"), 8), (_("性质"), 10), (_("状态"), 10), (_("投诉内容"), 40),
        (_("客户要求"), 24), (_("响应期限"), 18), (_("是否按时响应"), 8), (_("处理期限"), 18), (_("完成时间"), 18),
        (_("是否按时完成"), 8), (_("处理结果"), 40),
    )  # fmt: skip
    return Sheet(_("投诉"), headers, rows, None, chunk_rows=chunk_rows)


def repair_sheet(project: Project, period: Period, now: datetime) -> Sheet:
    """The repair flow; 是否及时 is the repair kind's on-time rule (``cases.kinds``, as 维修及时率 counts it):
    yes or no once the order is done, "no" already when a limit was missed, empty while it is under way."""
    kind = case_kind("repair")
    rows = (
        Repair.objects.filter(project=project, received_at__gte=period.start_at, received_at__lt=period.end_at)
        .order_by("received_at", "id")
        .annotate(
            phone=Coalesce(NullIf("contact_phone", Value("")), _first_phone()),
            done=ExpressionWrapper(kind.done_q(), output_field=BooleanField()),
            on_time=ExpressionWrapper(kind.on_time_q(), output_field=BooleanField()),
            missed=ExpressionWrapper(any_limit_missed(Repair), output_field=BooleanField()),
        )
        .values(
            "number", "received_at", "customer__name", "customer_name", "phone", *UNIT_FIELDS, "location",
            "description", "price_item__name", "fee_yuan", "assignee__name", "status", "accepted_at",
            "arrive_due_at", "arrived_at", "completed_at", "done", "on_time", "missed",
        )
    )  # fmt: skip
    status = _labels(RepairStatus)
    verdict = _Verdicts()

    def to_row(r: dict[str, Any]) -> tuple[Any, ...]:
        timely = verdict.yes_no(r["on_time"]) if r["done"] else (verdict.no if r["missed"] else "")
        return (
            r["number"], _local(r["received_at"]), r["customer__name"] or r["customer_name"], _masked(r["phone"]),
            _unit(r) or r["location"], r["description"], r["price_item__name"] or _("非标准项目"),
            float(r["fee_yuan"]) if r["fee_yuan"] is not None else None, r["assignee__name"] or "",
            status(r["status"]), _local(r["accepted_at"]), _local(r["arrive_due_at"]), _local(r["arrived_at"]),
            _local(r["completed_at"]), timely,
        )  # fmt: skip

    headers = (
        (_("编号"), 16), (_("报修时间"), 18), (_("客户"), 10), (_("联系电话"), 14), (_("房号"), 16),
        (_("报修内容"), 36), (_("项目"), 16), (_("收费(元)"), 9), (_("技工"), 10), (_("状态"), 12),
        (_("接单时间"), 18), (_("到场期限"), 18), (_("到场时间"), 18), (_("完成时间"), 18), (_("是否及时"), 8),
    )  # fmt: skip
    return Sheet(_("报修"), headers, rows, to_row)


def return_visit_sheet(project: Project, period: Period, now: datetime) -> Sheet:
    rows = (
        visits_in_period(ReturnVisit.objects.filter(project=project), period)
        .order_by("due_at", "id")
        .values(
            "case_type", "content_type_id", "object_id", "customer__name", *UNIT_FIELDS, "due_at", "visitor_role",
            "visitor__name", "method", "status", "done_at", "satisfaction", "unsatisfied", "shortfalls",
            "suggestions",
        )
    )  # fmt: skip
    case_type, role, method = _labels(CaseType), _labels(Role), _labels(Method)
    status, satisfaction = _labels(VisitStatus), _labels(Satisfaction)
    verdict = _Verdicts()

    def to_row(r: dict[str, Any]) -> tuple[Any, ...]:
        recorded = r["satisfaction"] is not None
        return (
            case_type(r["case_type"]), r["case_number"], r["customer__name"] or "", _unit(r), _local(r["due_at"]),
            role(r["visitor_role"]), r["visitor__name"] or "", method(r["method"]), status(r["status"]),
            _local(r["done_at"]), satisfaction(r["satisfaction"]) if recorded else "",
            verdict.yes_no(not r["unsatisfied"]) if recorded else "", verdict.on_time(r["due_at"], r["done_at"], now),
            r["shortfalls"], r["suggestions"],
        )  # fmt: skip

    headers = (
        (_("类别"), 10), (_("案件编号"), 16), (_("客户"), 10), (_("房号"), 16), (_("期限"), 18), (_("回访人岗位"), 10),
        (_("回访人"), 10), (_("方式"), 10), (_("状态"), 10), (_("完成时间"), 18), (_("满意度"), 10),
        (_("是否满意"), 8), (_("是否按时"), 8), (_("缺陷与不足"), 30), (_("意见和建议"), 30),
    )  # fmt: skip
    return Sheet(_("回访"), headers, rows, to_row, _case_numbers)


def _case_numbers(rows: list[dict[str, Any]]) -> None:
    """Each visit's case number (complaints and repairs; other kinds have none), one query per kind per chunk."""
    wanted: dict[int, set[int]] = {}
    for row in rows:
        wanted.setdefault(row["content_type_id"], set()).add(row["object_id"])
    numbers: dict[tuple[int, int], str] = {}
    for model in (Complaint, Repair):
        type_id = ContentType.objects.get_for_model(model).pk
        if type_id in wanted:
            found = model.objects.filter(pk__in=wanted[type_id]).values_list("pk", "number")
            numbers.update({(type_id, pk): number for pk, number in found})
    for row in rows:
        row["case_number"] = numbers.get((row["content_type_id"], row["object_id"]), "")


def visits_in_period(visits: QuerySet[ReturnVisit], period: Period) -> QuerySet[ReturnVisit]:
    """Visits due in the period; a visit without a due time (special service) counts when it was planned."""
    due = Q(due_at__gte=period.start_at, due_at__lt=period.end_at)
    planned = Q(due_at__isnull=True, planned_at__gte=period.start_at, planned_at__lt=period.end_at)
    return visits.filter(due | planned)


def ledger_sheets(project: Project, period: Period, now: datetime) -> list[Sheet]:
    """The front desk's ledgers (F02–F05 custody items, F01 visitors), one sheet each."""
    items = (
        CustodyItem.objects.filter(project=project, received_at__gte=period.start_at, received_at__lt=period.end_at)
        .order_by("received_at", "id")
        .values(
            "kind", "description", "tracking_number", "owner_unit__building__number", "owner_unit__building__name",
            "owner_unit__entrance", "owner_unit__room", "owner_name", "owner_phone", "depositor_name", "shelf",
            "received_at", "received_by__name", "status", "handed_over_at", "taken_by_name", "due_back_at",
            "returned_at",
        )
    )  # fmt: skip
    kind, custody_status = _labels(CustodyKind), _labels(CustodyStatus)

    def item_row(r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            kind(r["kind"]), r["description"], r["tracking_number"], _unit(r, "owner_unit__"), r["owner_name"],
            _masked(r["owner_phone"]), r["depositor_name"], r["shelf"], _local(r["received_at"]),
            r["received_by__name"] or "", custody_status(r["status"]), _local(r["handed_over_at"]),
            r["taken_by_name"], _local(r["due_back_at"]), _local(r["returned_at"]),
        )  # fmt: skip

    visitors = (
        Visitor.objects.filter(project=project, arrived_at__gte=period.start_at, arrived_at__lt=period.end_at)
        .order_by("arrived_at", "id")
        .values(
            "name", "phone", "party_size", "host_unit__building__number", "host_unit__building__name",
            "host_unit__entrance", "host_unit__room", "purpose", "status", "id_verified", "host_confirm_method",
            "arrived_at", "admitted_at", "left_at",
        )
    )  # fmt: skip
    visitor_status, confirm = _labels(VisitorStatus), _labels(ConfirmMethod)

    def visitor_row(r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            r["name"], _masked(r["phone"]), r["party_size"], _unit(r, "host_unit__"), r["purpose"],
            visitor_status(r["status"]), _yes_no(r["id_verified"]), confirm(r["host_confirm_method"]),
            _local(r["arrived_at"]), _local(r["admitted_at"]), _local(r["left_at"]),
        )  # fmt: skip

    return [
        Sheet(
            _("寄存物品"),
            (
                (_("类别"), 8),
                (_("物品"), 20),
                (_("快递单号"), 18),
                (_("房号"), 16),
                (_("收件人/借用人"), 10),
                (_("电话"), 14),
                (_("寄件/寄存人"), 10),
                (_("存放位置"), 8),
                (_("收到时间"), 18),
                (_("经办人"), 10),
                (_("状态"), 8),
                (_("交付时间"), 18),
                (_("领取人"), 10),
                (_("应归还时间"), 18),
                (_("归还时间"), 18),
            ),
            items,
            item_row,
        ),
        Sheet(
            _("访客"),
            (
                (_("访客姓名"), 10),
                (_("电话"), 14),
                (_("人数"), 6),
                (_("被访房屋"), 16),
                (_("来访事由"), 20),
                (_("状态"), 8),
                (_("已核验证件"), 8),
                (_("确认方式"), 10),
                (_("到达时间"), 18),
                (_("进入时间"), 18),
                (_("离开时间"), 18),
            ),
            visitors,
            visitor_row,
        ),
    ]


def export_sheets(request: ExportRequest, *, now: datetime | None = None) -> list[Sheet]:
    """The sheets of one export. The caller has checked the user may export this project."""
    now = now or timezone.now()
    builders: dict[str, Callable[[Project, Period, datetime], list[Sheet]]] = {
        ExportKind.COMPLAINTS: lambda p, d, n: [complaint_sheet(p, d, n)],
        ExportKind.REPAIRS: lambda p, d, n: [repair_sheet(p, d, n)],
        ExportKind.RETURN_VISITS: lambda p, d, n: [return_visit_sheet(p, d, n)],
        ExportKind.LEDGERS: ledger_sheets,
    }
    return builders[request.kind](request.project, request.period, now)


def export_row_count(request: ExportRequest) -> int:
    return sum(sheet.rows.order_by().count() for sheet in export_sheets(request))


def iter_rows(sheet: Sheet) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows, read CHUNK_SIZE at a time (plain values, no model instances), each chunk enriched
    with one query per kind of extra (``Sheet.enrich``)."""
    rows = sheet.rows.iterator(chunk_size=CHUNK_SIZE)
    to_row, chunk_rows = sheet.to_row, sheet.chunk_rows
    while chunk := list(islice(rows, CHUNK_SIZE)):
        if chunk_rows is not None:
            yield from chunk_rows(chunk)
            continue
        if sheet.enrich is not None:
            sheet.enrich(chunk)
        assert to_row is not None
        for row in chunk:
            yield to_row(row)


def direct_max_rows() -> int:
    """Exports with more rows than this are answered with a job (202) instead of the file; the setting
    ``EXPORT_DIRECT_MAX_ROWS`` overrides the default."""
    return int(getattr(settings, "EXPORT_DIRECT_MAX_ROWS", DIRECT_MAX_ROWS))


# --- Jobs and the kept monthly exports -----------------------------------------------------------------------


def export_jobs(*, user: Any, project: Project, limit: int = 30) -> list[ExportJob]:
    """The project's kept monthly exports and the user's own recent exports, newest first."""
    jobs = scope(ExportJob.objects.filter(project=project), user).select_related("requested_by")
    mine_or_kept = Q(purpose=JobPurpose.MONTHLY) | Q(requested_by=user)
    return list(jobs.filter(mine_or_kept).order_by("-period_start", "-created_at", "-id")[:limit])


def export_job_get(*, user: Any, pk: Any) -> ExportJob:
    return get_for_user(ExportJob.objects.select_related("project"), user, pk)


def purges(*, user: Any, project: Project) -> list[RetentionPurge]:
    return list(scope(RetentionPurge.objects.filter(project=project), user).select_related("actor")[:50])


# --- S07: the figures of the follow-up work ------------------------------------------------------------------


def followup_figures(*, project: Project, year: int, month: int | None = None) -> dict[str, Any]:
    """Return visits due, done, on time and unsatisfied per month of ``year`` (or of one month), aggregated
    in SQL; the follow-up plans' counts too when that app is installed."""
    period = Period.month(year, month) if month else Period(date(year, 1, 1), date(year, 12, 31))
    visits = visits_in_period(ReturnVisit.objects.filter(project=project), period)
    per_month = (
        visits.annotate(m=ExtractMonth(Coalesce("due_at", "planned_at")))
        .order_by()
        .values("m")
        .annotate(
            due=Count("id", filter=~Q(status=VisitStatus.CANCELLED)),
            done=Count("id", filter=Q(status=VisitStatus.DONE)),
            timely=Count("id", filter=Q(status=VisitStatus.DONE, done_at__lte=F("due_at"))),
            unsatisfied=Count("id", filter=Q(status=VisitStatus.DONE, unsatisfied=True)),
        )
    )
    months = {
        row["m"]: {"due": row["due"], "done": row["done"], "on_time": row["timely"], "unsatisfied": row["unsatisfied"]}
        for row in per_month
        if row["m"]
    }
    totals = {k: sum(m[k] for m in months.values()) for k in ("due", "done", "on_time", "unsatisfied")}
    figures: dict[str, Any] = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "return_visits": {"total": totals, "by_month": {f"{m:02d}": months[m] for m in sorted(months)}},
    }
    figures["followup"] = _followup_counts(project, period)
    return figures


#: The follow-up work (T01–T07) a review counts: each model with the time that places it in a period.
FOLLOWUP_COUNTS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("followupplan", FollowUpPlan, "created_at"),
    ("followupcall", FollowUpCall, "due_at"),
)


def _followup_counts(project: Project, period: Period) -> dict[str, Any]:
    """Follow-up plans and calls of the period by status, one grouped query each."""
    counts: dict[str, Any] = {}
    for name, model, stamp in FOLLOWUP_COUNTS:
        rows = model._default_manager.filter(
            project=project, **{f"{stamp}__gte": period.start_at, f"{stamp}__lt": period.end_at}
        )
        by_status = {str(r["status"]): r["n"] for r in rows.order_by().values("status").annotate(n=Count("pk"))}
        counts[name] = {"total": sum(by_status.values()), "by_status": by_status}
    return counts


def reviews(*, user: Any, project: Project) -> list[YearlyReview]:
    return list(scope(YearlyReview.objects.filter(project=project), user).select_related("written_by")[:60])
