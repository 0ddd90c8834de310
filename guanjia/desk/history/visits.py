"""Return visits (V01–V06): every completed case plans its visit itself; here the visitor of the planned role
makes it, mostly within the limit and mostly to a satisfied customer. A couple of customers are unsatisfied:
the supervisor reviews the record and the rectification complaint is handled like any other."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection

from guanjia.accounts.models import Role, User
from guanjia.cases.models import Department
from guanjia.complaints import services as cs
from guanjia.complaints.models import Complaint, InformMethod, Nature
from guanjia.desk.history.clock import Scheduler, Story
from guanjia.desk.history.estate import Estate, scribble
from guanjia.visits import services as vs
from guanjia.visits.models import Method, Outcome, ReturnVisit, ReviewDecision

#: Which visits (counted per estate, in the order they are planned) go badly: unsatisfied, or late.
UNSATISFIED_AT = (23, 61)
LATE_AT = (9, 37, 70)
NO_ANSWER_AT = (15, 44)
NOTES = {
    5: ("维修及时，师傅态度很好。", "处理结果满意，感谢。", "问题已解决，服务到位。"),
    4: ("基本满意，希望以后响应再快一点。", "已解决，满意。"),
    2: ("维修后问题又出现了，不满意。", "处理拖得太久，沟通不够。"),
}


def new_ids(table: str, after: int, where: str = "", params: tuple[str | int, ...] = ()) -> list[int]:
    """Ids above ``after`` in ``table``: the watchers ask after every step, so one plain SQL query."""
    name = connection.ops.quote_name(table)
    condition = f" AND {where}" if where else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {name} WHERE id > %s{condition} ORDER BY id", [after, *params])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


class VisitDesk:
    """Watches for newly planned return visits and has the planned role make each one."""

    def __init__(self, estates: dict[int, Estate], scheduler: Scheduler) -> None:
        self.estates = estates
        self.scheduler = scheduler
        self.seen = 0
        self.counts: dict[int, int] = {}

    def __call__(self) -> None:
        for pk in new_ids(ReturnVisit._meta.db_table, self.seen):
            self.seen = pk
            visit = ReturnVisit.objects.select_related("project", "customer").get(pk=pk)
            est = self.estates[visit.project_id]
            n = self.counts[visit.project_id] = self.counts.get(visit.project_id, 0) + 1
            self.scheduler.spawn(self._when(est, visit, late=n in LATE_AT), self._visit(est, visit, n))

    def _when(self, est: Estate, visit: ReturnVisit, *, late: bool) -> datetime:
        """Within the limit, at a working hour; a late one a little after it."""
        planned = visit.planned_at
        due = visit.due_at or planned + timedelta(days=2)
        if late:
            return est.working_hours_after(due, timedelta(hours=est.rng.uniform(9, 20)))
        window = max(due - planned - timedelta(hours=4), timedelta(hours=1))
        return est.working_hours_after(planned, timedelta(hours=2) + window * est.rng.uniform(0.05, 0.6))

    def _visit(self, est: Estate, visit: ReturnVisit, n: int) -> Story:
        rng = est.rng
        visitor = _visitor(est, visit.visitor_role)
        method = Method.ON_SITE if visit.on_site_required or rng.random() < 0.15 else Method.PHONE
        if n in NO_ANSWER_AT and method == Method.PHONE:
            vs.return_visit_record(
                visit=visit, result=vs.VisitResult(method=method, outcome=Outcome.NO_ANSWER), actor=visitor
            )
            yield est.clock() + timedelta(hours=2, minutes=rng.randrange(5, 40))
        level = (
            2
            if n in UNSATISFIED_AT and visit.customer_id is not None
            else rng.choices((5, 4, 3), weights=(62, 33, 5))[0]
        )
        name = visit.customer.name if visit.customer else ""
        result = vs.VisitResult(
            method=method,
            satisfaction=level,
            notes=rng.choice(NOTES.get(level, NOTES[4])),
            quality="合格" if level >= 3 else "问题复发",
            effect="问题已解决" if level >= 3 else "效果不佳",
            shortfalls="" if level >= 3 else "处理不彻底，客户需再次报修",
            signature=scribble(rng) if method == Method.ON_SITE else None,
            signer_name=name,
        )
        visit = vs.return_visit_record(visit=visit, result=result, actor=visitor)
        if not visit.unsatisfied:
            return
        if visit.rectification_id is not None:
            complaint = Complaint.objects.select_related("project").get(pk=visit.rectification_id)
            self.scheduler.spawn(est.clock() + est.minutes(1, 3), rectification_story(est, complaint))
        yield est.clock() + est.minutes(30, 90)
        vs.return_visit_review(
            visit=visit,
            decision=ReviewDecision.RECTIFY,
            comment="已报总经理；工程部主管带队复修，客服跟进至客户满意。",
            actor=est.first(Role.CS_SUPERVISOR),
        )


def _visitor(est: Estate, role: str) -> User:
    if role == Role.GENERAL_MANAGER:
        return est.gm
    return est.first(role, Role.CS_SUPERVISOR)


def rectification_story(est: Estate, complaint: Complaint) -> Story:
    """The complaint opened by an unsatisfied visit (V06), handled at once and visited again."""
    desk = est.desk()
    department = complaint.against_department if complaint.against_department != "other" else Department.ENGINEERING
    handler = est.first(Role.ENGINEERING_SUPERVISOR, Role.TECHNICIAN, Role.CS_SUPERVISOR)
    cs.complaint_dispatch(complaint=complaint, department=department, assignee=handler, actor=desk)
    yield est.clock() + est.minutes(1, 3)
    cs.complaint_acknowledge(complaint=complaint, actor=handler)
    cs.complaint_set_nature(complaint=complaint, nature=Nature.VALID, actor=est.first(Role.CS_SUPERVISOR))
    yield est.clock() + timedelta(hours=est.rng.uniform(2, 6))
    cs.complaint_complete(complaint=complaint, result="工程部主管带队复修，问题已彻底解决，客户确认。", actor=handler)
    yield est.clock() + est.minutes(20, 60)
    cs.complaint_inform_customer(
        complaint=complaint, method=InformMethod.VISIT, note="主管上门致歉并告知复修结果，客户认可。", actor=desk
    )
