"""On site (R07–R09): the items actually used, the customer's agreement or refusal, countersignature and
materials; photos, signatures and notes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.accounts.access import (
    can_follow_warranty,
    can_supervise_repair,
    can_work_repair,
)
from guanjia.accounts.models import Role
from guanjia.cases.services import (
    case_transition,
    deadline_cancel,
)
from guanjia.cases.uploads import CheckedImage, check_photo, check_signature
from guanjia.core.errors import TransitionError
from guanjia.estates.models import Project
from guanjia.repairs.models import (
    LineKind,
    MaterialsQuality,
    PhotoKind,
    PriceItem,
    Repair,
    RepairLine,
    RepairNote,
    RepairPhoto,
    RepairSignature,
    RepairStatus,
    SignerRole,
)
from guanjia.repairs.services._common import _clock, _recipients, _require, _save, _tell, check_at
from guanjia.repairs.services.prices import parse_fee
from guanjia.timeline.services import record

# --- R07–R09: on site -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    name: str
    quantity: int
    unit_fee_yuan: Decimal
    price_item: PriceItem | None = None


def _whole_number(raw: Any) -> int | None:
    """An integer as JSON or a form sends it (``3``, ``"3"``), else None (no bools, fractions, lists)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def parse_lines(raw: Any, *, project: Project, field: str = "actual_items") -> list[Line]:
    """Items as the API and the phone send them: a list of price-item ids, or of objects
    ``{"price_item": id, "quantity": n}`` / ``{"name": "…", "fee_yuan": "…", "quantity": n}``.
    Anything else is a ValidationError on ``field``."""
    if not isinstance(raw, list):
        raise ValidationError({field: [_("请提供维修项目列表")]})
    entries: list[dict[str, Any]] = []
    for entry in raw:
        if isinstance(entry, dict):
            entries.append(entry)
        elif _whole_number(entry) is not None:
            entries.append({"price_item": entry})
        else:
            raise ValidationError({field: [_("每一项须为收费项目编号，或含 price_item 或 name 的对象")]})
    wanted: set[int] = set()
    for data in entries:
        if data.get("price_item") in (None, ""):
            continue
        pk = _whole_number(data["price_item"])
        if pk is None:
            raise ValidationError({field: [_("收费项目编号无效")]})
        wanted.add(pk)
    items = {i.pk: i for i in PriceItem.objects.filter(project=project, pk__in=wanted)}
    lines: list[Line] = []
    for data in entries:
        quantity = _whole_number(data.get("quantity", 1))
        if quantity is None or not 1 <= quantity <= 999:
            raise ValidationError({field: [_("数量须为 1–999 的整数")]})
        raw_item: Any = data.get("price_item")
        if raw_item not in (None, ""):
            item = items.get(_whole_number(raw_item) or 0)
            if item is None:
                raise ValidationError({field: [_("收费项目不在本项目的收费标准中")]})
            lines.append(Line(item.name, quantity, item.fee_yuan, item))
        else:
            name = data.get("name", "")
            if not isinstance(name, str) or not name.strip():
                raise ValidationError({field: [_("非标准项目请填写名称")]})
            fee_raw = data.get("fee_yuan", "")
            if not isinstance(fee_raw, (str, int, float)) or isinstance(fee_raw, bool):
                raise ValidationError({field: [_("收费须为数字，例如 35 或 12.50")]})
            try:
                fee = parse_fee(fee_raw)
            except ValidationError as exc:
                raise ValidationError({field: exc.message_dict.get("fee_yuan", exc.messages)}) from None
            lines.append(Line(name.strip()[:100], quantity, fee))
    return lines


def _replace_actual_lines(repair: Repair, lines: list[Line]) -> None:
    RepairLine.objects.filter(repair=repair, kind=LineKind.ACTUAL).delete()
    RepairLine.objects.bulk_create(
        RepairLine(
            repair=repair,
            kind=LineKind.ACTUAL,
            price_item=ln.price_item,
            name=ln.name,
            quantity=ln.quantity,
            unit_fee_yuan=ln.unit_fee_yuan,
        )
        for ln in lines
    )


def _differs(repair: Repair, lines: list[Line]) -> bool:
    reported = sorted((ln.price_item_id, ln.name, ln.quantity) for ln in repair.lines.filter(kind=LineKind.REPORTED))
    actual = sorted((getattr(ln.price_item, "pk", None), ln.name, ln.quantity) for ln in lines)
    return reported != actual


ON_SITE = (RepairStatus.ACCEPTED, RepairStatus.ARRIVED, RepairStatus.IN_PROGRESS)


def repair_set_actual_items(*, repair: Repair, actor: Any, items: Any, difference_note: str = "") -> list[Line]:
    """R07: the items actually needed, with their fees; where they differ from the report the difference is
    explained to the customer (``difference_note``)."""
    _require(can_work_repair(actor, repair))
    if repair.status not in ON_SITE:
        raise TransitionError(_("只有到场维修时才能填写实际项目"))
    lines = parse_lines(items, project=repair.project)
    if not lines:
        raise ValidationError({"actual_items": [_("请至少选择一个实际维修项目")]})
    differs = _differs(repair, lines)
    if differs and not difference_note.strip():
        raise ValidationError({"difference_note": [_("实际项目与报修项目不同，请填写差异说明 (R07)")]})
    with transaction.atomic():
        _save(repair, difference_note=difference_note.strip())
        _replace_actual_lines(repair, lines)
        data = {"items": [[ln.name, ln.quantity, str(ln.unit_fee_yuan)] for ln in lines], "differs": differs}
        record(subject=repair, verb="repair.items_set", actor=actor, data=data)
    return lines


def repair_customer_agrees(*, repair: Repair, actor: Any, at: datetime | None = None) -> Repair:
    """R08: the customer saw the fee schedule and agreed; the work starts."""
    _require(can_work_repair(actor, repair))
    at = check_at(at, repair=repair, after=repair.arrived_at, after_label=_("到场时间"))
    fields = {"customer_agreed_at": at, "started_at": at}
    case_transition(case=repair, to=RepairStatus.IN_PROGRESS, actor=actor, at=at, fields=fields)
    return repair


def repair_decline(
    *, repair: Repair, actor: Any, reason: str, technician_signature: Any, at: datetime | None = None
) -> Repair:
    """R08: the customer declines; the order returns with the reason, signed by the technician now and by the
    department supervisor (``repair_countersign``) before the desk files it."""
    _require(can_work_repair(actor, repair))
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写客户拒绝的原因")]})
    checked = check_signature(technician_signature, "technician_signature")
    at = check_at(at, repair=repair, after=repair.arrived_at, after_label=_("到场时间"))
    with transaction.atomic():
        case_transition(
            case=repair,
            to=RepairStatus.DECLINED,
            actor=actor,
            at=at,
            reason=reason.strip(),
            fields={"decline_reason": reason.strip()},
        )
        _store_signature(
            repair, checked, role=SignerRole.TECHNICIAN, signer_name=actor.display_name, actor=actor, at=at
        )
        deadline_cancel(subject=repair, at=at)
        _tell(
            repair,
            people=_recipients(repair, [Role.ENGINEERING_SUPERVISOR]),
            kind="repair.declined",
            title=_("报修 %(n)s 客户拒绝维修，请主管签字") % {"n": repair.number},
        )
    return repair


def repair_countersign(*, repair: Repair, actor: Any, signature: Any) -> RepairSignature:
    """R08: the department supervisor signs a declined order."""
    _require(can_supervise_repair(actor, repair.project_id))
    if repair.status != RepairStatus.DECLINED:
        raise TransitionError(_("只有客户拒绝维修的工单需要主管签字"))
    checked = check_signature(signature, "signature")
    with transaction.atomic():
        return _store_signature(
            repair, checked, role=SignerRole.SUPERVISOR, signer_name=actor.display_name, actor=actor, at=_clock()
        )


def repair_check_materials(
    *, repair: Repair, actor: Any, supplied: bool, quality: str = "", warned: bool = False, note: str = ""
) -> Repair:
    """R09: materials the customer supplied are checked; unacceptable or poor material is pointed out to the
    customer (``warned``), whose choice is respected: the work goes on."""
    _require(can_work_repair(actor, repair))
    if repair.status not in ON_SITE:
        raise TransitionError(_("只有到场维修时才能检验材料"))
    if supplied and quality not in MaterialsQuality.values:
        raise ValidationError({"materials_quality": [_("请选择检验结果：合格、不合格或质量差")]})
    bad = supplied and quality in (MaterialsQuality.UNACCEPTABLE, MaterialsQuality.POOR)
    if bad and not warned:
        raise ValidationError({"materials_warned": [_("材料不合格或质量差，须先向客户说明 (R09)")]})
    fields = {
        "materials_supplied": supplied,
        "materials_quality": quality if supplied else "",
        "materials_warned": bad and warned,
        "materials_note": note.strip()[:200],
    }
    with transaction.atomic():
        _save(repair, **fields)
        record(
            subject=repair,
            verb="repair.materials_checked",
            actor=actor,
            data={"supplied": supplied, "quality": fields["materials_quality"], "warned": fields["materials_warned"]},
        )
    return repair


# --- Photos, signatures, warranty notes ----------------------------------------------------------------------


def _store_signature(
    repair: Repair, checked: CheckedImage, *, role: str, signer_name: str, actor: Any, at: datetime
) -> RepairSignature:
    signature = RepairSignature.store(
        checked.content, repair=repair, role=role, signer_name=signer_name[:50], signed_at=at, collected_by=actor
    )
    record(
        subject=repair,
        verb="repair.signed",
        actor=actor,
        at=at,
        data={"role": role, "signature": signature.pk, "sha256": checked.sha256},
    )
    return signature


def repair_customer_sign(*, repair: Repair, actor: Any, signature: Any, signer_name: str = "") -> RepairSignature:
    """R10: the customer signs the order on the technician's screen (PNG from the canvas). Append-only."""
    _require(can_work_repair(actor, repair) or can_follow_warranty(actor, repair))
    if repair.status not in (*ON_SITE, RepairStatus.WITH_CONTRACTOR):
        raise TransitionError(_("只有维修中的工单可以请客户签名"))
    checked = check_signature(signature, "signature")
    name = signer_name.strip() or repair.display_customer or _("客户")
    with transaction.atomic():
        return _store_signature(repair, checked, role=SignerRole.CUSTOMER, signer_name=name, actor=actor, at=_clock())


def repair_add_photo(
    *, repair: Repair, actor: Any, kind: str, upload: Any, note: RepairNote | None = None
) -> RepairPhoto:
    """A photo before or after the work (or of a warranty follow-up, R13), checked by ``check_photo``.
    Photos are kept as taken: never replaced, never deleted."""
    _require(can_work_repair(actor, repair) or can_follow_warranty(actor, repair))
    if kind not in PhotoKind.values:
        raise ValidationError({"kind": [_("请选择照片类别")]})
    if repair.status in (RepairStatus.CLOSED, RepairStatus.CANCELLED):
        raise TransitionError(_("工单已关闭，不能再添加照片"))
    checked = check_photo(upload, "photo")
    now = _clock()
    with transaction.atomic():
        photo = RepairPhoto.store(
            checked.content,
            repair=repair,
            kind=kind,
            note=note,
            image_format=checked.image_format,
            width=checked.width,
            height=checked.height,
            size_bytes=checked.size_bytes,
            uploaded_at=now,
            uploaded_by=actor,
        )
        record(
            subject=repair,
            verb="repair.photo_added",
            actor=actor,
            at=now,
            data={"photo": photo.pk, "kind": kind, "sha256": checked.sha256},
        )
    return photo


def repair_add_note(
    *, repair: Repair, actor: Any, text: str, photos: Iterable[Any] = (), at: datetime | None = None
) -> RepairNote:
    """R13: the day's follow-up of a warranty repair by the butler, with photos."""
    _require(can_follow_warranty(actor, repair))
    if not repair.warranty:
        raise TransitionError(_("只有保修期内的维保工单需要每日跟进记录"))
    if not text.strip():
        raise ValidationError({"text": [_("请填写跟进情况")]})
    at = check_at(at, repair=repair)
    with transaction.atomic():
        note = RepairNote.objects.create(repair=repair, text=text.strip(), written_at=at, written_by=actor)
        record(subject=repair, verb="repair.note_added", actor=actor, at=at, data={"note": note.pk})
        for upload in photos:
            repair_add_photo(repair=repair, actor=actor, kind=PhotoKind.WARRANTY_NOTE, upload=upload, note=note)
    return note
