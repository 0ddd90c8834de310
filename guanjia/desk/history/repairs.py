"""Four weeks of repair work orders (R01–R13) told through the repair services: the desk logs the request,
writes the order and tells the department; the technician accepts, arrives, gets the customer's agreement and
signature and completes; the desk takes the department copy back (R11). Non-standard items are assessed and
quoted (R05), a few customers decline (R08), warranty repairs go to the contractor with the butler's daily
notes (R13), public-area faults come from patrols (R12). Completion plans the return visit (V01)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from guanjia.accounts.models import Role, User
from guanjia.desk.history import texts
from guanjia.desk.history.clock import Scheduler, Story
from guanjia.desk.history.estate import Estate, scribble
from guanjia.estates.models import Customer, Unit
from guanjia.repairs import services as rs
from guanjia.repairs.models import PaymentMethod, PriceItem, Repair, RepairSource

KINDS_PER_ESTATE = {
    "urgent": 36,
    "appointment": 14,
    "late_arrival": 3,  # R03 missed: the sweep tells the engineering supervisor
    "differs": 4,  # R07: the actual item differs from the report
    "nonstandard": 5,  # R05
    "quote_declined": 1,  # R05 → R08
    "declined": 1,  # R08 on site
    "cancelled": 2,
    "public": 5,  # R12
    "warranty": 1,  # R13, completed
}


@dataclass
class Spec:
    kind: str
    received: datetime
    customer: Customer | None
    unit: Unit | None
    item: PriceItem | None
    description: str
    location: str = ""
    quote: tuple[str, str, str] | None = None  # non-standard: (words, assessment, fee)
    appointment: datetime | None = None
    stop_after: str = ""  # the last step that happened (an order still open now)
    warranty: tuple[str, str, str, tuple[str, ...]] | None = None


def plan_history(est: Estate) -> list[Spec]:
    rng = est.rng
    kinds = [kind for kind, n in KINDS_PER_ESTATE.items() for _ in range(n)]
    rng.shuffle(kinds)
    specs = []
    for kind in kinds:
        last_day = 18 if kind == "warranty" else 24 if kind in ("nonstandard", "quote_declined", "declined") else 27
        specs.append(_spec(est, kind, est.daytime(rng.randrange(0, last_day + 1), first=8, last=20)))
    specs.sort(key=lambda s: s.received)
    return specs


def _spec(est: Estate, kind: str, received: datetime) -> Spec:
    rng = est.rng
    customer, unit = est.resident()
    if kind == "public":
        location, fault, code = rng.choice(texts.PUBLIC_FAULTS)
        building = rng.choice(est.residents)[1]
        where = location.format(b=building.building.number, e=building.entrance)
        return Spec(kind, received, None, None, est.items[code], f"{where}{fault}", location=where)
    if kind in ("nonstandard", "quote_declined"):
        quote = rng.choice(texts.NON_STANDARD[-1:] if kind == "quote_declined" else texts.NON_STANDARD[:-1])
        return Spec(kind, received, customer, unit, None, quote[0], quote=quote)
    if kind == "warranty":
        warranty = rng.choice(texts.WARRANTY)
        return Spec(kind, received, customer, unit, None, warranty[0], warranty=warranty)
    code = rng.choice(sorted(texts.REPAIR_WORDS))
    spec = Spec(kind, received, customer, unit, est.items[code], rng.choice(texts.REPAIR_WORDS[code]))
    if kind == "appointment":
        day = (received - est.start).days + rng.choice((0, 1, 1, 2))
        slot = time(rng.choice((9, 10, 11, 14, 15, 16)), rng.choice((0, 30)))
        spec.appointment = est.at(day, slot)
        if spec.appointment <= received + timedelta(hours=1):
            spec.appointment = est.at(day + 1, slot)
    return spec


def plan_live(est: Estate, *, busy: bool) -> list[Spec]:
    """Orders of the last hours, open now: for the desk's ledger and the technicians' phones. Each has passed
    the steps with limits of minutes (order written, department told, technician on site), so no limit runs
    out in the first hours after start: the appointment's arrival is tomorrow morning."""
    end = est.end
    live = [
        (_spec(est, "urgent", end - timedelta(minutes=9)), "notified"),  # waiting for a technician to accept
        (_spec(est, "urgent", end - timedelta(minutes=50)), "in_progress"),
        (_spec(est, "appointment", end - timedelta(hours=2)), "accepted"),  # appointment tomorrow
        (_spec(est, "nonstandard", end - timedelta(hours=3)), "quoted"),  # the desk is asking the customer
    ]
    if busy:
        live += [
            (_spec(est, "urgent", end - timedelta(minutes=35)), "arrived"),
            (_spec(est, "urgent", end - timedelta(hours=1, minutes=30)), "completed"),  # copy not back yet
            (_spec(est, "warranty", end - timedelta(days=4, hours=2)), "with_contractor"),
        ]
    specs = []
    for spec, stop in live:
        spec.stop_after = stop
        if spec.appointment is not None:  # tomorrow morning
            spec.appointment = est.at((end - est.start).days + 1, time(10, 0))
        specs.append(spec)
    return specs


def spawn(est: Estate, scheduler: Scheduler, specs: list[Spec]) -> None:
    for spec in specs:
        scheduler.spawn(spec.received + est.minutes(0.1, 1), repair_story(est, spec))


# --- the story of one order ---------------------------------------------------------------------------------


def _technician(est: Estate) -> User:
    people = est.technicians()
    return est.rng.choice(people) if people else est.first(Role.ENGINEERING_SUPERVISOR)


def _supervisor(est: Estate) -> User:
    return est.first(Role.ENGINEERING_SUPERVISOR, Role.OFFICE_MANAGER)


def repair_story(est: Estate, spec: Spec) -> Story:
    rng = est.rng
    desk = est.desk()
    reporter = est.one(Role.SECURITY, Role.BUTLER) if spec.kind == "public" else desk
    warranty = spec.warranty
    request = rs.RepairRequest(
        description=spec.description,
        unit=spec.unit,
        customer=spec.customer,
        location=spec.location,
        received_at=spec.received,
        price_item=spec.item,
        urgent=None if spec.appointment else True,
        appointment_at=spec.appointment,
        source=RepairSource.PATROL if spec.kind == "public" else RepairSource.RESIDENT,
        warranty=warranty is not None,
        contractor=warranty[1] if warranty else "",
        contractor_phone=warranty[2] if warranty else "",
    )
    repair = rs.repair_log(project=est.project, request=request, actor=reporter)
    if spec.stop_after == "logged":
        return
    yield est.clock() + est.minutes(0.5, 2.5)
    rs.repair_write_order(repair=repair, actor=desk)
    yield est.clock() + est.minutes(0.3, 1.5)
    rs.repair_notify_department(repair=repair, actor=desk)
    if spec.stop_after == "notified":
        return
    if warranty is not None:
        yield from _warranty(est, spec, repair, warranty[3])
        return
    if spec.kind == "cancelled":
        yield est.clock() + est.minutes(3, 10)
        rs.repair_cancel(repair=repair, actor=desk, reason="客户来电取消：问题已自行处理")
        return
    if spec.quote is not None:
        yield est.clock() + est.minutes(4, 12)
        rs.repair_assess(
            repair=repair,
            actor=_supervisor(est),
            feasible=True,
            assessment=spec.quote[1],
            quoted_fee_yuan=spec.quote[2],
        )
        if spec.stop_after == "quoted":
            return
        yield est.working_hours_after(est.clock(), est.minutes(15, 90))
        if spec.kind == "quote_declined":
            rs.repair_record_consent(repair=repair, actor=desk, agreed=False, reason=texts.DECLINE_REASONS[0])
            yield from _file_declined(est, repair)
            return
        rs.repair_record_consent(repair=repair, actor=desk, agreed=True)
    technician = _technician(est)
    if spec.appointment is not None:
        yield min(spec.appointment - timedelta(hours=1), est.clock() + est.minutes(10, 120))
    else:
        yield est.clock() + est.minutes(1, 8)
    rs.repair_accept(repair=repair, actor=technician, technician=technician)
    if spec.stop_after == "accepted":
        return
    if spec.appointment is not None:
        yield spec.appointment - est.minutes(6, 14)
    elif spec.kind == "late_arrival":
        yield est.clock() + est.minutes(18, 35)
    else:
        yield est.clock() + est.minutes(4, 13)
    rs.repair_arrive(repair=repair, actor=technician)
    if spec.stop_after == "arrived":
        return
    yield est.clock() + est.minutes(2, 6)
    if spec.kind == "declined":
        rs.repair_decline(
            repair=repair, actor=technician, reason=texts.DECLINE_REASONS[1], technician_signature=scribble(rng)
        )
        yield from _file_declined(est, repair)
        return
    fee = _fee(spec)
    if spec.kind == "differs" and spec.item is not None:
        other = est.items["SL05"] if spec.item.code != "SL05" else est.items["SL04"]
        items = [{"price_item": spec.item.pk, "quantity": 1}, {"price_item": other.pk, "quantity": 1}]
        rs.repair_set_actual_items(
            repair=repair, actor=technician, items=items, difference_note=rng.choice(texts.DIFFERENCE_NOTES)
        )
        fee += other.fee_yuan
    elif spec.item is not None and spec.item.unit in ("米", "个", "根") and rng.random() < 0.25:
        rs.repair_set_actual_items(
            repair=repair,
            actor=technician,
            items=[{"price_item": spec.item.pk, "quantity": 2}],
            difference_note=f"现场检查共需两{spec.item.unit}，已向客户说明",
        )
        fee *= 2
    rs.repair_customer_agrees(repair=repair, actor=technician)
    if spec.stop_after == "in_progress":
        return
    yield est.clock() + est.minutes(12, 80)
    rs.repair_customer_sign(repair=repair, actor=technician, signature=scribble(rng), signer_name=_signer(est, spec))
    paid_on_site = fee > 0 and rng.random() < 0.7
    rs.repair_complete(
        repair=repair,
        actor=technician,
        customer_signed=True,
        fee_yuan=fee,
        actual_items=[{"name": spec.quote[0][:40], "fee_yuan": spec.quote[2]}] if spec.quote is not None else None,
        difference_note="按评估报价施工" if spec.quote is not None else "",
        payment_method=rng.choice((PaymentMethod.CASH, PaymentMethod.CARD)) if paid_on_site else "",
        collected_by=desk if paid_on_site else None,
    )
    if spec.stop_after == "completed":
        return
    yield est.working_hours_after(est.clock(), est.minutes(30, 240))
    if fee > 0 and not paid_on_site:
        rs.repair_record_payment(
            repair=repair,
            actor=desk,
            payment_method=rng.choice((PaymentMethod.CASH, PaymentMethod.CARD)),
            collected_by=desk,
        )
    rs.repair_return_to_desk(repair=repair, actor=desk)
    repair.refresh_from_db()
    if repair.payment_method in (PaymentMethod.CASH, PaymentMethod.CARD):
        yield est.working_hours_after(est.clock(), timedelta(hours=rng.uniform(1, 20)))
        rs.repair_hand_to_finance(repair=repair, actor=desk)


def _fee(spec: Spec) -> Decimal:
    if spec.kind == "public" or (spec.item is None and spec.quote is None):
        return Decimal(0)  # a public area (or a warranty): no fee for a resident
    if spec.quote is not None:
        return Decimal(spec.quote[2])
    return spec.item.fee_yuan if spec.item is not None else Decimal(0)


def _signer(est: Estate, spec: Spec) -> str:
    if spec.customer is not None:
        return spec.customer.name
    return est.first(Role.SECURITY, Role.BUTLER).display_name


def _file_declined(est: Estate, repair: Repair) -> Story:
    """R08: the department supervisor countersigns; the desk files the order."""
    yield est.working_hours_after(est.clock(), est.minutes(30, 180))
    rs.repair_countersign(repair=repair, actor=_supervisor(est), signature=scribble(est.rng))
    yield est.clock() + est.minutes(5, 60)
    rs.repair_return_to_desk(repair=repair, actor=est.desk())


def _warranty(est: Estate, spec: Spec, repair: Repair, notes: tuple[str, ...]) -> Story:
    """R13: the contractor does the work; the butler follows it every day with a note, then the customer signs."""
    butler = spec.unit.butler if spec.unit is not None and spec.unit.butler else est.first(Role.BUTLER)
    days = 5
    for day in range(1, days + 1):
        yield est.at((est.clock() - est.start).days + 1, time(16, 0)) + est.minutes(0, 60)
        text = notes[min(day - 1, len(notes) - 1)] if day <= len(notes) else "维保单位今日施工，管家现场跟进。"
        rs.repair_add_note(repair=repair, actor=butler, text=text)
    yield est.clock() + timedelta(hours=1)
    rs.repair_customer_sign(repair=repair, actor=butler, signature=scribble(est.rng), signer_name=_signer(est, spec))
    rs.repair_complete(repair=repair, actor=butler, customer_signed=True, fee_yuan=0)
    yield est.working_hours_after(est.clock(), timedelta(hours=18))
    rs.repair_return_to_desk(repair=repair, actor=est.desk())


def follow_up_public_repair(est: Estate, number: str, reporter: User) -> Story:
    """A work order a duty check opened (F08, R12): written up, assessed (no fee in a public area), fixed."""
    repair = Repair.objects.select_related("project").get(number=number)
    desk = est.desk()
    yield est.clock() + est.minutes(1, 3)
    rs.repair_write_order(repair=repair, actor=desk)
    yield est.clock() + est.minutes(0.5, 1.5)
    rs.repair_notify_department(repair=repair, actor=desk)
    yield est.clock() + est.minutes(4, 11)
    rs.repair_assess(
        repair=repair,
        actor=_supervisor(est),
        feasible=True,
        assessment="公共区域维修，更换灯管，无需收费",
        quoted_fee_yuan=0,
    )
    yield est.clock() + est.minutes(1, 4)
    rs.repair_record_consent(repair=repair, actor=desk, agreed=True)
    technician = _technician(est)
    yield est.clock() + est.minutes(2, 10)
    rs.repair_accept(repair=repair, actor=technician, technician=technician)
    yield est.clock() + est.minutes(4, 12)
    rs.repair_arrive(repair=repair, actor=technician)
    yield est.clock() + est.minutes(2, 4)
    rs.repair_customer_agrees(repair=repair, actor=technician)
    yield est.clock() + est.minutes(10, 25)
    rs.repair_customer_sign(
        repair=repair, actor=technician, signature=scribble(est.rng), signer_name=reporter.display_name
    )
    rs.repair_complete(repair=repair, actor=technician, customer_signed=True, fee_yuan=0)
    yield est.working_hours_after(est.clock(), est.minutes(30, 120))
    rs.repair_return_to_desk(repair=repair, actor=desk)
