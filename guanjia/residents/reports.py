"""What a resident reports online (a repair, a complaint or suggestion) and the desk's acceptance of it.

A case needs a member of staff who registered it and a first responder (C03, R01). So the resident's report
waits in the desk's inbox (``/r/desk/``) and the desk member who accepts it registers it through the same
services as a phone call — ``complaint_register`` with channel ``online``, ``repair_log`` — received at the
time the resident submitted it, so every limit runs from then; they become its first responder. The case's
timeline starts with the customer's own submission (``resident.submitted``, ``actor`` None, ``by: customer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_register_complaint, can_register_repair
from guanjia.accounts.models import Role
from guanjia.cases.uploads import check_photo
from guanjia.complaints.models import Channel
from guanjia.complaints.services import complaint_register
from guanjia.core import clean
from guanjia.core.states import transition
from guanjia.notifications.selectors import staff_with_roles
from guanjia.notifications.services import notify
from guanjia.repairs.models import PhotoKind, RepairPhoto, RepairSource
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.residents.households import Household
from guanjia.residents.labels import ACCEPTED_VERB, SUBMITTED_VERB
from guanjia.residents.models import OnlineReport, ReportKind, ReportPhoto, ReportStatus
from guanjia.timeline.services import record

DESCRIPTION_MAX = 2000
PHOTOS_MAX = 6
#: Who is told of a new online report: the desk and its supervisor.
DESK_ROLES = (Role.FRONT_DESK, Role.CUSTOMER_ASSISTANT, Role.CS_SUPERVISOR)


def report_submit(
    *,
    household: Household,
    kind: str,
    unit: Any,
    description: Any,
    now: datetime,
    appointment_at: Any = None,
    photos: Sequence[Any] = (),
) -> OnlineReport:
    """A resident's report for one of their units (404 otherwise), with checked photos, waiting for the desk."""
    home = household.unit(unit)
    customer = household.customer_for(home)
    errors: dict[str, list[str]] = {}
    if kind not in ReportKind.values:
        errors["kind"] = [_("请选择报修或投诉建议")]
    try:
        text = clean.text(description, "description", max_length=DESCRIPTION_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        text = ""
    if not text and "description" not in errors:
        errors["description"] = [_("请描述需要处理的问题")]
    appointment = None
    if kind == ReportKind.REPAIR and appointment_at not in (None, ""):
        if not isinstance(appointment_at, datetime):
            errors["appointment_at"] = [_("预约时间格式不正确")]
        elif appointment_at <= now:
            errors["appointment_at"] = [_("预约时间应晚于现在")]
        else:
            appointment = appointment_at
    if len(photos) > PHOTOS_MAX:
        errors["photos"] = [_("最多上传%(n)s张照片") % {"n": PHOTOS_MAX}]
    checked = []
    for upload in photos[:PHOTOS_MAX]:
        try:
            checked.append(check_photo(upload, "photos"))
        except ValidationError as exc:
            errors.setdefault("photos", exc.message_dict.get("photos", [_("照片无法识别")]))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = OnlineReport.objects.create(
            project=home.project,
            customer=customer,
            unit=home,
            kind=kind,
            description=text,
            appointment_at=appointment,
            submitted_at=now,
        )
        for image in checked:
            ReportPhoto.store(
                image.content,
                report=report,
                image_format=image.image_format,
                width=image.width,
                height=image.height,
                size_bytes=image.size_bytes,
                uploaded_at=now,
            )
        record(subject=report, verb=SUBMITTED_VERB, actor=None, at=now, data={"by": "customer", "kind": kind})
        notify(
            recipients=staff_with_roles(home.project, DESK_ROLES),
            kind="resident.report",
            title=_("业主在线%(kind)s：%(unit)s") % {"kind": report.get_kind_display(), "unit": home},
            body=text[:100],
            url=reverse("residents:desk_inbox"),
            project=home.project,
            dedupe_key=f"resident-report:{report.pk}",
        )
    return report


def report_accept(*, report: OnlineReport, actor: Any, now: datetime) -> Any:
    """The desk takes the report in: the complaint or repair is registered by ``actor`` (its first responder),
    received when the resident submitted it. Returns the case. Refused (PermissionError) for a member of staff
    who may not register that kind in the project; a report already accepted is a TransitionError (409)."""
    allowed = can_register_repair if report.kind == ReportKind.REPAIR else can_register_complaint
    if not allowed(actor, report.project):
        raise PermissionError("actor may not register this kind of case here")
    with transaction.atomic():
        locked = OnlineReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.SUBMITTED:
            transition(locked, ReportStatus.ACCEPTED, actor=actor, verb=ACCEPTED_VERB, record=record, at=now)
        case: Any
        if locked.kind == ReportKind.COMPLAINT:
            case = complaint_register(
                project=locked.project,
                actor=actor,
                channel=Channel.ONLINE,
                description=locked.description,
                received_at=locked.submitted_at,
                customer=locked.customer,
                unit=locked.unit,
                first_responder=actor,
                now=now,
            )
            fields: dict[str, Any] = {"complaint": case}
        else:
            case = repair_log(
                project=locked.project,
                request=RepairRequest(
                    description=locked.description,
                    unit=locked.unit,
                    customer=locked.customer,
                    received_at=locked.submitted_at,
                    appointment_at=locked.appointment_at,
                    source=RepairSource.RESIDENT,
                ),
                actor=actor,
                first_responder=actor,
            )
            fields = {"repair": case}
            for photo in locked.photos.all():
                RepairPhoto.store(
                    photo.image.read(),
                    repair=case,
                    kind=PhotoKind.BEFORE,
                    image_format=photo.image_format,
                    width=photo.width,
                    height=photo.height,
                    size_bytes=photo.size_bytes,
                    uploaded_at=photo.uploaded_at,
                    uploaded_by=actor,
                )
        # The customer acted first: their submission heads the case's timeline, as the customer's own.
        record(
            subject=case,
            verb=SUBMITTED_VERB,
            actor=None,
            at=locked.submitted_at,
            data={"by": "customer", "report": locked.pk, "photos": locked.photos.count()},
        )
        transition(
            locked,
            ReportStatus.ACCEPTED,
            actor=actor,
            verb=ACCEPTED_VERB,
            record=record,
            at=now,
            fields={**fields, "accepted_at": now, "accepted_by": actor},
            data={"case": case.number},
        )
    return case
