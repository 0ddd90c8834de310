"""The custody ledger (F02–F06): parcels, letters and items left at the desk, loans, keys and release slips.

Handing something over is one conditional UPDATE (``status`` still ``held``) inside the transaction that
records it: when two clerks hand over the same parcel at once, exactly one UPDATE changes the row and the
other clerk is told who took it (on PostgreSQL the second UPDATE waits for the first transaction, then
matches nothing; SQLite serialises writers). The proof is checked against the item before that.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_keep_ledgers, can_see_project, mask_phone
from guanjia.accounts.models import User
from guanjia.cases.services import deadline_cancel, deadline_meet, deadline_set
from guanjia.core import clean
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Customer, Project, Unit
from guanjia.estates.services import id_number_keys
from guanjia.frontdesk import policy, sealed_codes
from guanjia.frontdesk.models import PICKUP_KINDS, CustodyItem, CustodyKind, CustodyStatus, ProofKind
from guanjia.frontdesk.services._common import (
    _CODE_ATTEMPTS,
    AGE_KIND,
    CODE_DIGITS,
    DUE_KIND,
    Issued,
    _check_customer,
    _check_unit,
    _new_code,
    _require,
    _resides,
    code_hash,
    send_to_customer,
    unit_phone,
)
from guanjia.timeline.services import record

# --- Custody ledger (F02–F06) -----------------------------------------------------------------------------


def custody_receive(
    *,
    project: Project,
    kind: str,
    description: str,
    actor: User,
    owner_customer: Customer | None = None,
    owner_unit: Unit | None = None,
    owner_staff: User | None = None,
    owner_name: str = "",
    owner_phone: str = "",
    addressee_id_number: str = "",
    depositor_name: str = "",
    depositor_contact: str = "",
    tracking_number: str = "",
    shelf: str = "",
    found_place: str = "",
    received_at: datetime | None = None,
    send_code: bool = True,
) -> Issued:
    """Take something in: a parcel, letter or item left for someone (F02), a found item (F03) or a key
    kept by the butler (F05). For parcels, letters and left items a pickup code is issued and, when a phone
    is known, sent to the addressee; ``Issued.code`` is the only time the code is seen (empty for kinds
    without one). A parcel, letter or left item uncollected for the project's ``frontdesk.parcel_age_days``
    raises an alert.
    """
    _require(can_keep_ledgers(actor, project))
    if kind not in (*PICKUP_KINDS, CustodyKind.KEY):
        raise ValidationError({"kind": [_("请选择物品类别")]})
    now = timezone.now()
    received_at = clean.past_time(received_at, now=now, field="received_at")
    _check_unit(project, owner_unit, "owner_unit")
    _check_customer(project, owner_customer, "owner_customer")
    if owner_staff is not None and not can_see_project(owner_staff, project):
        raise ValidationError({"owner_staff": [_("该员工不属于本项目")]})
    if owner_unit is None and owner_customer is not None:
        owner_unit = owner_customer.units.filter(project=project).select_related("building").first()
    owner_name = clean.text(owner_name, "owner_name", max_length=50)
    if kind != CustodyKind.LOST_FOUND and not (owner_customer or owner_unit or owner_staff or owner_name):
        raise ValidationError({"owner_unit": [_("请填写收件房屋或收件人")]})
    if kind == CustodyKind.KEY and owner_unit is None:
        raise ValidationError({"owner_unit": [_("请填写钥匙所属房屋")]})
    phone = clean.phone(owner_phone, "owner_phone")
    if not phone and owner_customer is not None:
        phone = owner_customer.primary_phone
    if not phone and owner_unit is not None and owner_staff is None and kind != CustodyKind.KEY:
        phone = unit_phone(owner_unit)  # "empty: the phone on file" means the unit's residents' too
    last4, id_hash = ("", "")
    if addressee_id_number.strip():
        try:
            last4, id_hash = id_number_keys(addressee_id_number)
        except ValidationError:
            raise ValidationError({"addressee_id_number": [_("证件号码格式不正确")]}) from None
    item = CustodyItem(
        project=project,
        kind=kind,
        description=clean.text(description, "description", required=kind != CustodyKind.PARCEL)
        or str(CustodyKind(kind).label),
        tracking_number=clean.text(tracking_number, "tracking_number", max_length=64),
        owner_customer=owner_customer,
        owner_unit=owner_unit,
        owner_staff=owner_staff,
        owner_name=owner_name,
        owner_phone=phone,
        addressee_id_last4=last4,
        addressee_id_hash=id_hash,
        depositor_name=clean.text(depositor_name, "depositor_name", max_length=50),
        depositor_contact=clean.text(depositor_contact, "depositor_contact", max_length=50),
        found_place=clean.text(found_place, "found_place", max_length=100),
        shelf=clean.text(shelf, "shelf", max_length=32),
        received_at=received_at,
        received_by=actor,
    )
    if kind == CustodyKind.LOST_FOUND and not item.found_place:
        raise ValidationError({"found_place": [_("请填写拾获地点")]})
    code = ""
    with transaction.atomic():
        item.save()
        if kind in (CustodyKind.PARCEL, CustodyKind.MAIL, CustodyKind.LEFT_ITEM):
            code = _give_code(item, send=send_code, now=now)
            deadline_set(subject=item, kind=AGE_KIND, due_at=received_at + policy.parcel_age_limit(project), now=now)
        record(
            subject=item,
            verb="custody.received",
            actor=actor,
            at=now,
            data={"kind": kind, "shelf": item.shelf, "code_sent": bool(item.code_sent_at)},
        )
    return Issued(item, code)


def custody_ref(item: CustodyItem) -> str:
    """The outbox reference of the messages about ``item`` (its pickup codes)."""
    return f"custody:{item.pk}"


def _give_code(item: CustodyItem, *, send: bool, now: datetime) -> str:
    """Store a fresh code's hash on ``item`` (unique among the project's waiting items) and the code sealed
    for the household's list, and send it. Caller holds a transaction."""
    for _attempt in range(_CODE_ATTEMPTS):
        code = _new_code()
        keys = {
            "pickup_code_hash": code_hash(item.project_id, code),
            "pickup_code_sealed": sealed_codes.seal(item.pk, code),
        }
        try:
            with transaction.atomic():
                updated = CustodyItem.objects.filter(pk=item.pk, status=CustodyStatus.HELD).update(**keys)
        except IntegrityError:
            continue  # the code belongs to another waiting item: draw again
        if updated != 1:
            raise ConflictError(_("该物品已不在前台"))
        item.pickup_code_hash, item.pickup_code_sealed = keys["pickup_code_hash"], keys["pickup_code_sealed"]
        break
    else:  # pragma: no cover - a million codes and twenty misses in a row
        raise ConflictError(_("取件码生成失败，请重试"))
    if send and item.owner_phone:
        # The page shows what became of it: the row's status (sent, failed, not configured), not a promise.
        send_to_customer(
            project=item.project,
            phone=item.owner_phone,
            template="pickup_code",
            params={"what": str(item.get_kind_display()), "project": item.project.name, "code": code},
            now=now,
            ref=custody_ref(item),
        )
        item.code_sent_at, item.code_sent_to = now, mask_phone(item.owner_phone)
        CustodyItem.objects.filter(pk=item.pk).update(code_sent_at=now, code_sent_to=item.code_sent_to)
    return code


def custody_resend_code(*, item: CustodyItem, actor: User) -> Issued:
    """Issue a new pickup code for a waiting item (the old one stops working) and send it."""
    _require(can_keep_ledgers(actor, item.project_id))
    if item.status != CustodyStatus.HELD or item.kind not in PICKUP_KINDS:
        raise ConflictError(_("该物品已不在前台，不能发送取件码"))
    now = timezone.now()
    with transaction.atomic():
        code = _give_code(item, send=True, now=now)
        record(subject=item, verb="custody.code_issued", actor=actor, at=now, data={"sent": bool(item.code_sent_at)})
    return Issued(item, code)


def find_by_pickup_code(*, project: Project, code: str) -> CustodyItem | None:
    """The waiting item of ``project`` that ``code`` opens, if any."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) != CODE_DIGITS:
        return None
    return (
        CustodyItem.objects.filter(
            project=project, status=CustodyStatus.HELD, pickup_code_hash=code_hash(project.pk, code)
        )
        .select_related("owner_customer", "owner_unit__building")
        .first()
    )


@dataclass(frozen=True)
class Proof:
    """Who is taking the item, as checked: the name to record and what to write down (never a full ID)."""

    taker: str
    detail: str


def check_proof(*, item: CustodyItem, proof_kind: str, value: str, taken_by_name: str = "") -> Proof:
    """Does ``value`` (a pickup code, an ID number or its last four, a work card number, a description of a
    lost item) prove the taker may have ``item``? Raises ValidationError on ``proof`` naming the reason."""
    value = (value or "").strip()
    taken_by_name = taken_by_name.strip()
    if proof_kind not in ProofKind.values:
        raise ValidationError({"proof_kind": [_("请选择领取凭证")]})
    if not value:
        raise ValidationError({"proof": [_("请填写凭证")]})
    if proof_kind == ProofKind.PICKUP_CODE:
        if not item.pickup_code_hash or not hmac.compare_digest(
            item.pickup_code_hash, code_hash(item.project_id, value)
        ):
            raise ValidationError({"proof": [_("取件码不正确，不能交付")]})
        return Proof(taken_by_name or item.owner_label, _("取件码"))
    if proof_kind == ProofKind.WORK_CARD:
        return _check_work_card(item, value, taken_by_name)
    if proof_kind == ProofKind.OWNER_KNOWN:
        if item.kind != CustodyKind.LOST_FOUND:
            raise ValidationError({"proof_kind": [_("只有失物招领可凭物品特征认领")]})
        if not taken_by_name:
            raise ValidationError({"taken_by_name": [_("请填写认领人姓名")]})
        return Proof(taken_by_name, clean.text(value, "proof"))
    return _check_id(item, value, taken_by_name)


def _id_matches(value: str, last4: str, digest: str) -> bool:
    """A full ID number is checked against the keyed hash; four characters against the last four (the clerk
    has the card in hand and reads its end)."""
    if len(value) == 4:
        return bool(last4) and value.upper() == last4.upper()
    try:
        _l4, typed = id_number_keys(value)
    except ValidationError:
        return False
    return bool(digest) and hmac.compare_digest(digest, typed)


def _check_id(item: CustodyItem, value: str, taken_by_name: str) -> Proof:
    if len(value) != 4:
        try:
            id_number_keys(value)
        except ValidationError:
            raise ValidationError({"proof": [_("证件号码格式不正确（可只填后四位）")]}) from None
    candidates: list[tuple[str, str, str]] = []  # (name, last4, hash)
    if item.addressee_id_hash or item.addressee_id_last4:
        candidates.append((item.owner_name or item.owner_label, item.addressee_id_last4, item.addressee_id_hash))
    customers: list[Customer] = []
    if item.owner_customer_id:
        customers.append(item.owner_customer)  # type: ignore[arg-type]
    if item.owner_unit_id:
        # The household of the unit may collect for each other (and the owner keys of the unit, F05).
        customers += list(
            Customer.objects.filter(residencies__unit_id=item.owner_unit_id, residencies__move_out_date__isnull=True)
        )
    candidates += [(c.name, c.id_number_last4, c.id_number_hash) for c in customers]
    for name, last4, digest in candidates:
        if _id_matches(value, last4, digest):
            return Proof(name, _("证件尾号 %(last4)s") % {"last4": value[-4:].upper()})
    if not candidates or not any(c[1] or c[2] for c in candidates):
        raise ValidationError({"proof": [_("档案中没有收件人的证件信息，请改用取件码或工作证")]})
    raise ValidationError({"proof": [_("证件与收件人不符，不能交付")]})


def _check_work_card(item: CustodyItem, value: str, taken_by_name: str) -> Proof:
    staff = User.objects.filter(username__iexact=value, is_active=True).first()
    if staff is None or not staff.projects.filter(pk=item.project_id).exists():
        raise ValidationError({"proof": [_("工作证号不是本项目员工")]})
    if item.kind == CustodyKind.KEY:
        return Proof(staff.display_name, _("工作证 %(no)s") % {"no": staff.username})
    if item.owner_staff_id != staff.pk:
        raise ValidationError({"proof": [_("工作证与收件人不符，不能交付")]})
    return Proof(staff.display_name, _("工作证 %(no)s") % {"no": staff.username})


def custody_hand_over(
    *,
    item: CustodyItem,
    proof_kind: str,
    proof_value: str,
    actor: User,
    taken_by_name: str = "",
    purpose: str = "",
    due_back_at: datetime | None = None,
    at: datetime | None = None,
) -> CustodyItem:
    """Hand a waiting item to the person who proves they may have it (F02, F03), or issue a kept key (F05:
    who, why, until when). Exactly once: a second hand-over, even at the same instant, raises ConflictError
    naming who took it; the wrong person gets a ValidationError on ``proof``."""
    _require(can_keep_ledgers(actor, item.project_id))
    if item.kind not in (*PICKUP_KINDS, CustodyKind.KEY):
        raise ValidationError({"kind": [_("该类物品不能这样交付")]})
    now = timezone.now()
    at = clean.past_time(at, now=now, field="at")
    proof = check_proof(item=item, proof_kind=proof_kind, value=proof_value, taken_by_name=taken_by_name)
    changes: dict[str, Any] = {
        "status": CustodyStatus.HANDED_OVER,
        "handed_over_at": at,
        "handed_over_by": actor,
        "taken_by_name": proof.taker[:50],
        "proof_kind": proof_kind,
        "proof_detail": proof.detail[:200],
        "pickup_code_sealed": "",  # it has left the desk: no list shows its code again
    }
    if item.kind == CustodyKind.KEY:
        changes["purpose"] = clean.text(purpose, "purpose", required=True)
        changes["due_back_at"] = due_back_at or at + policy.key_period(item.project)
        if changes["due_back_at"] <= at:
            raise ValidationError({"due_back_at": [_("应归还时间须晚于借出时间")]})
    with transaction.atomic():
        updated = CustodyItem.objects.filter(pk=item.pk, status=CustodyStatus.HELD).update(
            **changes, version=F("version") + 1
        )
        if updated != 1:
            raise ConflictError(_already_gone(item.pk))
        if item.kind == CustodyKind.KEY:
            deadline_set(subject=item, kind=DUE_KIND, due_at=changes["due_back_at"], now=now)
            verb = "custody.key_issued"
        else:
            deadline_meet(subject=item, kind=AGE_KIND, at=at)
            verb = "custody.handed_over"
        data = {"proof_kind": proof_kind, "proof": changes["proof_detail"], "taken_by": changes["taken_by_name"]}
        if item.kind == CustodyKind.KEY:
            data |= {"purpose": changes["purpose"], "due_back_at": changes["due_back_at"].isoformat()}
        record(subject=item, verb=verb, actor=actor, at=at, data=data)
    item.refresh_from_db()
    return item


def _already_gone(pk: int) -> str:
    current = CustodyItem.objects.select_related("handed_over_by").get(pk=pk)
    if current.status == CustodyStatus.HANDED_OVER and current.handed_over_at:
        return _("该物品已于 %(at)s 交付给 %(who)s（经手：%(clerk)s），不能重复交付") % {
            "at": f"{timezone.localtime(current.handed_over_at):%m-%d %H:%M}",
            "who": current.taken_by_name,
            "clerk": current.handed_over_by.display_name if current.handed_over_by else "",
        }
    return _("该物品当前状态为“%(status)s”，不能交付") % {"status": current.get_status_display()}


def custody_lend(
    *,
    project: Project,
    description: str,
    borrower_name: str,
    actor: User,
    borrower_unit: Unit | None = None,
    borrower_customer: Customer | None = None,
    borrower_phone: str = "",
    proof_kind: str = "",
    proof_value: str = "",
    due_back_at: datetime | None = None,
) -> CustodyItem:
    """Lend a tool or an umbrella (F04): who has it, against what, until when."""
    _require(can_keep_ledgers(actor, project))
    _check_unit(project, borrower_unit, "owner_unit")
    _check_customer(project, borrower_customer, "owner_customer")
    now = timezone.now()
    due = due_back_at or now + policy.loan_period(project)
    if due <= now:
        raise ValidationError({"due_back_at": [_("应归还时间须晚于现在")]})
    if proof_kind and proof_kind not in (ProofKind.ID_CARD, ProofKind.WORK_CARD):
        raise ValidationError({"proof_kind": [_("请选择领取凭证")]})
    detail = clean.text(proof_value, "proof", max_length=40)
    if proof_kind == ProofKind.ID_CARD and detail:
        detail = _("证件尾号 %(last4)s") % {"last4": detail[-4:].upper()}  # never the full number
    borrower = clean.text(borrower_name, "owner_name", required=True, max_length=50)
    with transaction.atomic():
        item = CustodyItem.objects.create(
            project=project,
            kind=CustodyKind.LOAN,
            description=clean.text(description, "description", required=True),
            owner_customer=borrower_customer,
            owner_unit=borrower_unit,
            owner_name=borrower,
            owner_phone=clean.phone(borrower_phone, "owner_phone"),
            received_at=now,
            received_by=actor,
            status=CustodyStatus.HANDED_OVER,
            handed_over_at=now,
            handed_over_by=actor,
            taken_by_name=borrower,
            proof_kind=proof_kind,
            proof_detail=detail,
            due_back_at=due,
        )
        deadline_set(subject=item, kind=DUE_KIND, due_at=due, now=now)
        record(subject=item, verb="custody.lent", actor=actor, at=now, data={"due_back_at": due.isoformat()})
    return item


def custody_take_back(
    *, item: CustodyItem, returned_by_name: str, actor: User, damage_note: str = "", at: datetime | None = None
) -> CustodyItem:
    """A loan or an issued key comes back (F04, F05). The clerk checks it: ``damage_note`` records damage
    (empty: checked, undamaged). A loan is then closed; a key goes back in the drawer (held)."""
    _require(can_keep_ledgers(actor, item.project_id))
    if item.kind not in (CustodyKind.LOAN, CustodyKind.KEY):
        raise ValidationError({"kind": [_("只有借用物品和钥匙可以归还")]})
    now = timezone.now()
    at = clean.past_time(at, now=now, field="at")
    to = CustodyStatus.RETURNED if item.kind == CustodyKind.LOAN else CustodyStatus.HELD
    note = clean.text(damage_note, "damage_note")
    who = clean.text(returned_by_name, "returned_by_name", max_length=50) or item.taken_by_name
    with transaction.atomic():
        updated = CustodyItem.objects.filter(pk=item.pk, status=CustodyStatus.HANDED_OVER).update(
            status=to, returned_at=at, returned_by_name=who, damage_note=note, version=F("version") + 1
        )
        if updated != 1:
            raise ConflictError(_("该物品已归还或不在借出状态"))
        deadline_meet(subject=item, kind=DUE_KIND, at=at)
        verb = "custody.returned" if item.kind == CustodyKind.LOAN else "custody.key_returned"
        record(subject=item, verb=verb, actor=actor, at=at, data={"returned_by": who, "damage": note})
    item.refresh_from_db()
    return item


def custody_slip_register(
    *,
    project: Project,
    unit: Unit,
    authorised_by: Customer,
    description: str,
    carrier_name: str,
    actor: User,
    authorised_how: str = "",
) -> CustodyItem:
    """A release slip for large items leaving the estate (F06), authorised by a customer of the unit."""
    _require(can_keep_ledgers(actor, project))
    _check_unit(project, unit, "owner_unit")
    _check_customer(project, authorised_by, "authorised_by")
    if not _resides(authorised_by, unit):
        raise ValidationError({"authorised_by": [_("授权人不是该房屋的客户，不能开放行条")]})
    now = timezone.now()
    with transaction.atomic():
        item = CustodyItem.objects.create(
            project=project,
            kind=CustodyKind.RELEASE_SLIP,
            description=clean.text(description, "description", required=True),
            owner_unit=unit,
            owner_customer=authorised_by,
            authorised_by=authorised_by,
            owner_name=clean.text(carrier_name, "carrier_name", required=True, max_length=50),
            purpose=clean.text(authorised_how, "authorised_how"),
            received_at=now,
            received_by=actor,
        )
        record(subject=item, verb="custody.slip_registered", actor=actor, at=now, data={"unit": unit.pk})
    return item


def custody_slip_release(*, item: CustodyItem, actor: User, note: str = "") -> CustodyItem:
    """The desk has checked the slip against the goods at the gate: let them out (F06), once."""
    _require(can_keep_ledgers(actor, item.project_id))
    if item.kind != CustodyKind.RELEASE_SLIP:
        raise ValidationError({"kind": [_("不是放行条")]})
    if item.authorised_by_id is None:
        raise ValidationError({"authorised_by": [_("放行条未经客户授权，不能放行")]})
    now = timezone.now()
    with transaction.atomic():
        updated = CustodyItem.objects.filter(pk=item.pk, status=CustodyStatus.HELD).update(
            status=CustodyStatus.RELEASED,
            handed_over_at=now,
            handed_over_by=actor,
            taken_by_name=item.owner_name,
            disposed_note=clean.text(note, "note"),
            version=F("version") + 1,
        )
        if updated != 1:
            raise ConflictError(_("该放行条已使用，不能重复放行"))
        record(subject=item, verb="custody.released", actor=actor, at=now, data={"carrier": item.owner_name})
    item.refresh_from_db()
    return item


def custody_dispose(*, item: CustodyItem, note: str, actor: User) -> CustodyItem:
    """An unclaimed item leaves the ledger otherwise (handed to police, returned to the courier, discarded)."""
    _require(can_keep_ledgers(actor, item.project_id))
    text = clean.text(note, "note", required=True)
    now = timezone.now()
    with transaction.atomic():
        updated = (
            CustodyItem.objects.filter(pk=item.pk, status=CustodyStatus.HELD)
            .exclude(kind=CustodyKind.KEY)
            .update(status=CustodyStatus.DISPOSED, disposed_note=text, pickup_code_sealed="", version=F("version") + 1)
        )
        if updated != 1:
            raise ConflictError(_("该物品已不在前台，不能处置"))
        deadline_cancel(subject=item, at=now)
        record(subject=item, verb="custody.disposed", actor=actor, at=now, reason=text)
    item.refresh_from_db()
    return item
