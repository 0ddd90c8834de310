"""Four weeks of complaints (C01–C20) told through the complaint services: registration, dispatch, signing for
the form, nature, notes, next-reply promises, informing the customer, completion, signatures, escalations,
a written complaint, paper forms typed in later, and a lift breakdown that grows into a critical incident."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType

from guanjia.accounts.models import Role, User
from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.complaints import services as cs
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Channel, Complaint, GroupMeasure, InformMethod, Nature
from guanjia.complaints.proposals import open_proposals
from guanjia.desk.history import texts
from guanjia.desk.history.clock import Scheduler, Story
from guanjia.desk.history.estate import Estate, scribble
from guanjia.desk.history.visits import new_ids
from guanjia.estates.models import Customer, Unit

#: How each kind of story goes: registration is on time except for paper forms; most finish in time.
KINDS_PER_ESTATE = {
    "ontime": 31,
    # Deliberate misses, few as in a well-run office: the sweep recorded each and proposed "mishandled" (C11)
    "late": 2,  # finished after the 12 hours: the supervisor accepts the proposal, one step up (C11)
    "slow": 1,  # signed for after the 10 minutes (C13): the supervisor dismisses the proposal with a reason
    "invalid": 3,  # C04: explained to the customer and completed at once
    "significant": 4,
    "major": 1,
    "letter": 2,  # C17
    "paper": 2,  # a paper form typed in hours later (C11: timed from receipt, no automatic escalation)
    "promised": 2,  # C16: cannot be solved now; a next-reply time agreed with the customer
}
#: A past complaint's story ends at least this long before "now" (its return visit and written reply follow).
CLOSED_BEFORE_END = timedelta(hours=3)
CHANNELS = (Channel.PHONE, Channel.VISIT, Channel.ONLINE, Channel.OTHER)
CHANNEL_WEIGHTS = (52, 30, 13, 5)


@dataclass
class Spec:
    kind: str
    received: datetime
    topic: texts.Topic
    channel: str
    customer: Customer
    unit: Unit
    facts: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    location: str = ""
    # the step that ends the story early (a case still open now): "dispatch", "acknowledge", "complete"
    stop_before: str = ""
    handling: timedelta | None = None
    requested_deadline: datetime | None = None
    # the next-reply time agreed with the customer, when the story fixes it (a live case: well after "now")
    next_reply_at: datetime | None = None


def plan_history(est: Estate) -> list[Spec]:
    """The estate's past complaints, spread over the four weeks (the last day is left to ``plan_live``)."""
    rng = est.rng
    kinds = [kind for kind, n in KINDS_PER_ESTATE.items() for _ in range(n)]
    rng.shuffle(kinds)
    long_kinds = {"late", "significant", "major", "letter", "promised"}
    specs = []
    for kind in kinds:
        # long stories start early enough to end before today; the quick ones run up to yesterday
        last_day = 20 if kind == "major" else 24 if kind in long_kinds else 27
        day = rng.randrange(0, last_day + 1)
        spec = _spec(est, kind, est.daytime(day))
        spec.handling = _handling(est, spec)
        # A past complaint is closed by "now", well inside the hours: one taken late yesterday evening that
        # would still be open this morning, its limit running out, is moved a day earlier (calm at start).
        typed_in = timedelta(hours=6) if kind == "paper" else timedelta(0)  # see paper_story
        while spec.received + typed_in + spec.handling + CLOSED_BEFORE_END > est.end:
            spec.received -= timedelta(days=1)
        specs.append(spec)
    specs.sort(key=lambda s: s.received)
    return specs


def _spec(est: Estate, kind: str, received: datetime, topic: str | None = None) -> Spec:
    rng = est.rng
    chosen = texts.TOPIC[topic] if topic else rng.choices(texts.TOPICS, weights=texts.TOPIC_WEIGHTS)[0]
    if kind == "invalid":
        chosen = texts.TOPIC[rng.choice(sorted(texts.INVALID_REASONS))]
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    if kind == "letter":
        channel = Channel.LETTER
    customer, unit = est.resident()
    spec = Spec(kind, received, chosen, channel, customer, unit)
    building, entrance = unit.building.number, unit.entrance
    template = rng.choice(chosen.descriptions)
    spec.description = template.format(b=building, e=entrance, n=rng.randrange(100, 400))
    # where it happened: the topic's usual place, or the customer's own entrance when that is what they named
    place = "{b}栋{e}单元" if "{b}" in template and "{b}" not in chosen.location else chosen.location
    spec.location = place.format(b=building, e=entrance)
    if kind == "significant":
        spec.facts, extra = rng.choice(
            (
                (
                    {"economic_loss_yuan": Decimal(rng.choice((2600, 3500, 4800, 6200)))},
                    "家具、木地板受损，损失约数千元。",
                ),
                ({"repeat_count": rng.choice((2, 3, 4))}, "这件事已经反映好几次了，一直没有解决。"),
                ({"injury": "minor"}, "家里老人因此摔倒，手腕擦伤。"),
            )
        )
        spec.description += extra
    if kind == "major":
        spec.topic = texts.TOPIC["leak"]
        spec.location = ""
        spec.description = "公共水管立管爆裂，家中木地板、吊顶和家具全部泡水，损失约一万八千元。已向12345市民热线反映。"
        spec.facts = {"economic_loss_yuan": Decimal(18000), "to_authorities": True}
    if kind == "promised" and spec.topic.key not in ("greening", "leak", "access"):
        spec.topic = texts.TOPIC["greening"]
        spec.description = spec.topic.descriptions[0]
        spec.location = spec.topic.location.format(b=building, e=entrance)
    return spec


def plan_live(est: Estate, *, busy: bool) -> list[Spec]:
    """Complaints of the last hours and days, still open now, as a well-run desk leaves them: each signed for by
    its department (and any escalation acknowledged), its next limit hours away, nothing overdue. The board shows
    running countdowns; nothing the sweep would act on falls due in the first hours after start.

    No live complaint is overdue on purpose: an overdue response or resolution is proposed "mishandled" at the
    next sweep (C11) and alerts the supervisor and the office manager. ``DELIBERATELY_OVERDUE`` lists the
    demo's deliberate exceptions (none).
    """
    end = est.end
    tomorrow = _day_of(est, end) + 1
    live = [
        _spec(est, "ontime", end - timedelta(minutes=48), "noise"),  # signed for by security; resolve in ~11 h
        _spec(est, "ontime", end - timedelta(hours=1, minutes=25), "parking"),  # resolve in ~10.5 h
        _spec(est, "ontime", end - timedelta(hours=8, minutes=40), "cleaning"),  # resolve in ~3.3 h
        _spec(est, "ontime", end - timedelta(hours=3, minutes=10), "access"),  # resolve in ~9 h
        _spec(est, "promised", end - timedelta(hours=26), "greening"),  # next reply promised tomorrow
    ]
    live[4].next_reply_at = est.at(tomorrow, time(10, 0))
    if busy:
        significant = _spec(est, "significant", end - timedelta(hours=2, minutes=15), "leak")
        significant.facts = {"economic_loss_yuan": Decimal(4200)}
        significant.description = "卫生间天花板大面积渗水，吊顶和新做的柜子泡坏，损失约四千元。"
        lift = _spec(est, "ontime", end - timedelta(minutes=35), "lift")  # engineering signed for it
        major = _spec(est, "major", end - timedelta(days=2, hours=3))  # resolution date agreed with the customer
        live += [significant, lift, major]
    for spec in live:
        spec.stop_before = "complete"
        if spec.kind in ("significant", "promised"):
            spec.handling = timedelta(days=2)  # done after "now": the rest of the story is still to come
    return live


#: Live complaints meant to be overdue at start (by description), which the first sweep may therefore mark
#: mishandled. Deliberately empty: see ``plan_live``.
DELIBERATELY_OVERDUE: frozenset[str] = frozenset()


# --- stories ----------------------------------------------------------------------------------------------------


def _handler(est: Estate, department: str) -> User | None:
    roles: dict[str, tuple[str, ...]] = {
        Department.ENGINEERING: (Role.ENGINEERING_SUPERVISOR, Role.TECHNICIAN),
        Department.SECURITY: (Role.SECURITY,),
        Department.ENVIRONMENT: (Role.ENVIRONMENT,),
        Department.CUSTOMER_SERVICE: (Role.CS_SUPERVISOR,),
    }
    role = roles.get(department, (Role.CS_SUPERVISOR,))
    for r in role:
        if est.staff.get(r):
            return est.first(r)
    return None


def _limit(grade: str) -> float:
    """C13's response limit in minutes, used to time the steps inside it."""
    minutes: dict[str, float] = {Grade.GENERAL: 10, Grade.SIGNIFICANT: 8, Grade.MAJOR: 5}
    return minutes.get(grade, 1)


def complaint_story(est: Estate, spec: Spec) -> Story:
    """One complaint from the phone call to the customer's signature, step by step on the simulated clock."""
    rng = est.rng
    desk = est.desk() if spec.channel != Channel.OTHER else est.one(Role.BUTLER, Role.FRONT_DESK)
    supervisor = est.first(Role.CS_SUPERVISOR)
    complaint = cs.complaint_register(
        project=est.project,
        actor=desk,
        channel=spec.channel,
        description=spec.description,
        received_at=spec.received,
        customer=spec.customer,
        unit=spec.unit,
        location=spec.location,
        occurred_at=spec.received - est.minutes(5, 120),
        against_department=spec.topic.against,
        customer_request=spec.topic.request,
        requested_deadline=spec.requested_deadline,
        facts=spec.facts,
        mail={"sender": spec.customer.name} if spec.channel == Channel.LETTER else None,
        now=est.clock(),
    )
    handler = _handler(est, spec.topic.handler)
    signer = handler or supervisor
    started = est.clock()

    if spec.kind == "invalid":
        yield started + est.minutes(2, 4)
        cs.complaint_set_nature(
            complaint=complaint, nature=Nature.INVALID, reason=texts.INVALID_REASONS[spec.topic.key], actor=supervisor
        )
        yield est.clock() + est.minutes(1, 3)
        cs.complaint_complete(complaint=complaint, result=texts.INVALID_REASONS[spec.topic.key], actor=supervisor)
        yield est.clock() + est.minutes(10, 90)
        cs.complaint_inform_customer(
            complaint=complaint, method=InformMethod.PHONE, note="已向客户解释，客户表示理解。", actor=desk
        )
        return

    if spec.stop_before == "dispatch":
        return
    limit = _limit(complaint.grade)
    yield started + est.minutes(limit * 0.15, limit * 0.35)
    cs.complaint_dispatch(complaint=complaint, department=spec.topic.handler, assignee=handler, actor=desk)
    if spec.stop_before == "acknowledge":
        return
    if spec.kind == "slow":
        yield started + est.minutes(limit + 2, limit + 9)
    else:
        yield started + est.minutes(limit * 0.45, limit * 0.85)
    cs.complaint_acknowledge(complaint=complaint, actor=signer)
    yield est.clock() + est.minutes(2, 15)
    cs.complaint_set_nature(complaint=complaint, nature=Nature.VALID, actor=supervisor)
    if spec.kind == "slow" and open_proposals(complaint.deadlines.all()):
        cs.complaint_dismiss_proposal(
            complaint=complaint, reason="交接班时处理单晚签收几分钟，已提醒部门，不认定处理不当。", actor=supervisor
        )

    handling = spec.handling or _handling(est, spec)
    done = spec.received + handling
    if spec.kind == "major":
        yield est.clock() + est.minutes(20, 60)
        manager = est.first(Role.OFFICE_MANAGER)
        deadline = est.at(_day_of(est, spec.received) + 3, time(18, 0))
        cs.complaint_agree_deadline(complaint=complaint, deadline=deadline, actor=manager)
        cs.complaint_add_note(
            complaint=complaint,
            text="经理带工程部上门查看，与客户约定三日内完成立管更换及室内修复，损失由公共维修资金理赔。",
            actor=manager,
        )
        done = deadline - est.minutes(60, 300)
    for i, note in enumerate(spec.topic.notes):
        moment = est.clock() + (done - est.clock()) * (0.2 + 0.3 * i) * rng.uniform(0.8, 1.0)
        yield moment
        cs.complaint_add_note(complaint=complaint, text=note, actor=signer)
    if spec.kind in ("promised", "major") or (spec.kind == "significant" and rng.random() < 0.5):
        reply_at = spec.next_reply_at or est.working_hours_after(est.clock(), timedelta(hours=rng.choice((4, 18, 20))))
        if spec.stop_before == "complete" and reply_at < est.end + CLOSED_BEFORE_END:
            reply_at = est.at(_day_of(est, est.end) + 1, time(10, 0))  # a live promise: tomorrow morning
        if reply_at < done or spec.stop_before == "complete":
            cs.complaint_set_next_reply(
                complaint=complaint, reply_at=reply_at, actor=desk, note="客户同意届时电话告知进度"
            )
            yield reply_at - est.minutes(10, 50)
            cs.complaint_inform_customer(
                complaint=complaint, method=InformMethod.PHONE, note=texts.INFORM_NOTES[3], actor=desk
            )
    if spec.stop_before == "complete":
        return  # the rest happens after today: the complaint is open now
    yield max(done, est.clock() + est.minutes(5, 20))
    cs.complaint_complete(complaint=complaint, result=spec.topic.result, actor=signer)
    if spec.kind == "late":
        cs.complaint_mark_mishandled(
            complaint=complaint, reason="超过12小时才处理完成，期间未与客户约定期限，认定处理不当。", actor=supervisor
        )
    yield est.clock() + est.minutes(5, 90)
    on_site = spec.channel == Channel.VISIT or spec.kind == "major"
    cs.complaint_inform_customer(
        complaint=complaint,
        method=InformMethod.VISIT if on_site else InformMethod.PHONE,
        note=rng.choice(texts.INFORM_NOTES[:3]),
        actor=desk,
    )
    if on_site and rng.random() < 0.7:
        cs.complaint_sign(
            complaint=complaint,
            image=scribble(rng),
            signer_name=spec.customer.name,
            opinion=rng.choice(texts.SIGN_OPINIONS),
            actor=desk,
        )
    if spec.channel == Channel.LETTER:
        yield est.working_hours_after(est.clock(), timedelta(hours=3))
        cs.complaint_reply_in_writing(
            complaint=complaint,
            text=f"尊敬的{spec.customer.name}：您来信反映的问题已处理完毕。{spec.topic.result}感谢您对我们工作的监督。",
            actor=supervisor,
        )


def paper_story(est: Estate, spec: Spec) -> Story:
    """A complaint taken on a paper form at the door and typed in at the end of the shift (C11)."""
    yield spec.received + timedelta(hours=est.rng.uniform(2.5, 6))
    yield from complaint_story(est, spec)


def _day_of(est: Estate, moment: datetime) -> int:
    return (moment - est.start).days


def _handling(est: Estate, spec: Spec) -> timedelta:
    rng = est.rng
    if spec.kind == "late":
        return timedelta(hours=rng.uniform(13, 30))
    if spec.kind in ("significant", "promised"):
        return timedelta(hours=rng.uniform(20, 44))
    if spec.requested_deadline is not None:
        return (spec.requested_deadline - spec.received) * 0.8
    quick = spec.topic.key in ("parking", "noise", "cleaning", "attitude", "pets")
    return timedelta(hours=rng.uniform(0.6, 3) if quick else rng.uniform(2, 10.5))


def spawn(est: Estate, scheduler: Scheduler, specs: list[Spec]) -> None:
    for spec in specs:
        if spec.kind == "promised" and spec.requested_deadline is None:
            spec.requested_deadline = est.working_hours_after(spec.received, timedelta(days=3))
        if spec.kind == "paper":
            scheduler.spawn(spec.received, paper_story(est, spec))
        else:
            scheduler.spawn(spec.received + est.minutes(0.2, 1.5), complaint_story(est, spec))


# --- escalations (C13): whoever a complaint is escalated to acknowledges in time -----------------------------


class EscalationDesk:
    """Watches for new escalations (at registration, after a raise, after a missed limit) and has the named
    role acknowledge each within its limit, as a manager on call would."""

    def __init__(self, estates: dict[int, Estate], scheduler: Scheduler) -> None:
        self.estates = estates
        self.scheduler = scheduler
        self.seen = 0
        self.content_type = ContentType.objects.get_for_model(Complaint)

    def __call__(self) -> None:
        fresh = new_ids(
            Deadline._meta.db_table,
            self.seen,
            "kind = %s AND state = %s AND subject_type_id = %s",
            ("escalate", DeadlineState.PENDING, self.content_type.pk),
        )
        for pk in fresh:
            self.seen = pk
            deadline = Deadline.objects.get(pk=pk)
            est = self.estates[deadline.project_id]
            window = deadline.due_at - est.clock()
            at = est.clock() + window * est.rng.uniform(0.35, 0.75)
            self.scheduler.spawn(at, self._acknowledge(est, deadline))

    def _acknowledge(self, est: Estate, deadline: Deadline) -> Story:
        if not Deadline.objects.filter(pk=deadline.pk, state=DeadlineState.PENDING).exists():
            return
        complaint = Complaint.objects.select_related("project").get(pk=deadline.subject_id)
        role = str(deadline.data.get("escalate_to") or Role.GENERAL_MANAGER)
        actor = est.gm if role == Role.GENERAL_MANAGER else est.first(role)
        cs.complaint_acknowledge_escalation(complaint=complaint, actor=actor)
        yield from ()


# --- the critical incident (C06, C12, C19) -------------------------------------------------------------------


def lift_incident_story(est: Estate, day: int, building: str = "3", entrance: str = "1") -> Story:
    """A lift stops between floors one evening with residents inside; ten households complain within two
    hours. The incident is opened after the third call; at the tenth customer every complaint in it becomes
    critical (C06) and is escalated to the general manager within a minute; the manager agrees a deadline,
    meets the complainants (C19) and the lift is back in service two days later."""
    rng = est.rng
    trapped = est.at(day, time(19, 6))
    people = [(c, u) for c, u in est.residents if u.building.number == building and u.entrance == entrance]
    rng.shuffle(people)
    # Ten callers: exactly C06's threshold, so this one incident is the history's only (deliberate) critical case.
    callers = people[:10]
    supervisor = est.first(Role.CS_SUPERVISOR)
    engineer = est.first(Role.ENGINEERING_SUPERVISOR, Role.TECHNICIAN)
    words = (
        "电梯停在{f}楼和{g}楼之间，我家人被困在里面，按了警铃半天没人应答！",
        "电梯又困人了，这个月第二次了，到底有没有在维保？",
        "我们一家老小住高层，电梯停了根本没法上下楼。",
        "被困的是我父亲，有心脏病，救援太慢了，要求物业给个说法。",
        "{b}栋{e}单元电梯困人，物业应急处置太慢，要求公开事故原因。",
    )
    complaints: list[Complaint] = []
    incident = None
    moment = trapped + timedelta(minutes=3)
    for i, (customer, unit) in enumerate(callers):
        yield moment
        floor = rng.randrange(5, 10)
        description = rng.choice(words).format(f=floor, g=floor + 1, b=building, e=entrance)
        complaint = cs.complaint_register(
            project=est.project,
            actor=est.desk(),
            channel=Channel.PHONE if i % 4 else Channel.VISIT,
            description=description,
            received_at=est.clock() - timedelta(seconds=5 if i >= 9 else rng.randrange(10, 50)),
            customer=customer,
            unit=unit,
            location=f"{building}栋{entrance}单元电梯",
            occurred_at=trapped,
            against_department=Department.ENGINEERING,
            customer_request="尽快修复电梯，查明原因并公开处理结果",
            incident=incident,
            now=est.clock(),
        )
        complaints.append(complaint)
        quick = complaint.grade == Grade.CRITICAL
        yield est.clock() + (timedelta(seconds=10) if quick else est.minutes(0.5, 2))
        cs.complaint_dispatch(
            complaint=complaint, department=Department.ENGINEERING, assignee=engineer, actor=est.desk()
        )
        yield est.clock() + (timedelta(seconds=10) if quick else est.minutes(0.5, 3))
        cs.complaint_acknowledge(complaint=complaint, actor=engineer)
        cs.complaint_set_nature(complaint=complaint, nature=Nature.VALID, actor=supervisor)
        if i == 2:
            yield est.clock() + est.minutes(1, 3)
            incident = cs.incident_create(
                project=est.project,
                title=f"{building}栋{entrance}单元电梯困人",
                actor=supervisor,
                building=unit.building,
                location=f"{building}栋{entrance}单元电梯",
                occurred_at=trapped,
                complaints=complaints,
            )
            cs.complaint_add_note(
                complaint=complaints[0],
                text="维保单位已到场，20:02 被困4人全部安全救出；电梯停运检修。",
                actor=engineer,
            )
        moment = est.clock() + (est.minutes(3, 12) if i < 9 else est.minutes(8, 30))
    # The next morning: the office manager and the general manager agree a deadline with each household.
    yield est.at(day + 1, time(9, 0))
    deadline = est.at(day + 3, time(18, 0))
    for complaint in complaints:
        yield est.clock() + est.minutes(1, 4)
        cs.complaint_agree_deadline(complaint=complaint, deadline=deadline, actor=est.gm)
    yield est.clock() + est.minutes(10, 30)
    cs.complaint_add_note(
        complaint=complaints[0],
        text="维保单位检测：曳引机编码器故障导致急停，已订原厂配件，预计后天到货更换并全面检测。",
        actor=engineer,
    )
    yield est.at(day + 2, time(19, 30))
    for complaint in complaints:
        cs.complaint_record_group_measure(
            complaint=complaint,
            measure=GroupMeasure.MEETING,
            at=est.clock(),
            note="总经理、管理处经理、维保单位与业主代表座谈，通报故障原因、救援过程及整改措施。",
            actor=est.gm,
        )
    yield est.at(day + 3, time(11, 20))
    result = (
        "已更换曳引机编码器，经特种设备检测机构检验合格后恢复运行；维保单位加密至每周保养，并完善困人救援响应流程。"
    )
    for complaint in complaints:
        yield est.clock() + est.minutes(0.5, 2)
        cs.complaint_complete(complaint=complaint, result=result, actor=est.first(Role.OFFICE_MANAGER))
    for complaint in complaints:
        yield est.clock() + est.minutes(3, 15)
        cs.complaint_inform_customer(
            complaint=complaint, method=InformMethod.PHONE, note="已告知电梯恢复运行及整改措施。", actor=supervisor
        )
