"""Generated months of cases for the report tests: complaints across grades, natures, channels, departments
and month boundaries, with response and resolve limits kept, kept late, missed, pending or replaced; repairs
with repeats at one unit; return visits on time, late, unsatisfied or cancelled; household-visit campaigns.
Rows are written straight to the database (the real one, no mocks) with a seeded random generator, so each
figure can be checked against a brute-force count over the same rows in Python."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Channel, Complaint, ComplaintStatus, Nature
from guanjia.repairs.models import PriceItem, Repair, RepairStatus
from guanjia.testing.factories import make_customer, make_unit
from guanjia.visits.models import HouseholdIssue, HouseholdVisit, HouseholdVisitCampaign, ReturnVisit

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = date(2026, 5, 1)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


#: Times around May 2026, the boundaries included (midnight in Shanghai is 16:00 UTC the day before).
TIMES = [
    local(2026, 4, 30, 23, 59),
    local(2026, 5, 1, 0, 0),
    local(2026, 5, 1, 0, 30),
    local(2026, 5, 3, 9, 15),
    local(2026, 5, 12, 14, 0),
    local(2026, 5, 20, 8, 0),
    local(2026, 5, 31, 23, 59),
    local(2026, 6, 1, 0, 0),
    local(2026, 3, 15, 10, 0),
    local(2025, 12, 2, 10, 0),
    local(2026, 1, 31, 23, 0),
]

LIMIT_FATES = (
    "none",
    "on_time",
    "late",
    "missed",
    "pending",
    "replaced_on_time",
    "replaced_missed",
    "on_time_and_missed",
)


@dataclass
class Generated:
    complaints: list[Any] = field(default_factory=list)
    repairs: list[Any] = field(default_factory=list)
    visits: list[Any] = field(default_factory=list)
    households: list[Any] = field(default_factory=list)
    issues: list[Any] = field(default_factory=list)
    limits: dict[tuple[str, int], list[Any]] = field(default_factory=dict)


class Generator:
    def __init__(self, world: Any, seed: int) -> None:
        self.world = world
        self.rnd = random.Random(seed)
        self.data = Generated()
        self.seq = 0
        self.projects = [world.estate, world.other_estate]
        self.units = {p.pk: [make_unit(p, entrance="9") for _ in range(3)] for p in self.projects}
        self.customers = {
            p.pk: [make_customer(p, name=n, phones=(f"1380000{i:04d}",)) for i, n in enumerate(("甲", "乙"))]
            for p in self.projects
        }
        self.items = {
            p.pk: [
                PriceItem.objects.create(project=p, code=f"G{p.pk}{i}", name=f"项目{i}", fee_yuan=Decimal(10))
                for i in range(2)
            ]
            for p in self.projects
        }

    def _number(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}{self.seq:08d}"

    def _limits(self, subject: Any, kind: str, fate: str, start: datetime) -> None:
        content_type = ContentType.objects.get_for_model(subject)
        due = start + timedelta(minutes=self.rnd.choice((10, 60, 600)))

        def row(state: str, met_at: datetime | None, due_at: datetime = due) -> None:
            self.data.limits.setdefault((kind, subject.pk), []).append(
                Deadline.objects.create(
                    project=subject.project,
                    subject_type=content_type,
                    subject_id=subject.pk,
                    kind=kind,
                    due_at=due_at,
                    state=state,
                    met_at=met_at,
                    late=bool(met_at and met_at > due_at),
                )
            )

        if fate == "on_time":
            row(DeadlineState.MET, due - timedelta(minutes=1))
        elif fate == "late":
            row(DeadlineState.MISSED, due + timedelta(minutes=5))
        elif fate == "missed":
            row(DeadlineState.MISSED, None)
        elif fate == "pending":
            row(DeadlineState.PENDING, None)
        elif fate == "replaced_on_time":
            row(DeadlineState.CANCELLED, None)
            row(DeadlineState.MET, due, due_at=due + timedelta(minutes=30))
        elif fate == "replaced_missed":
            row(DeadlineState.CANCELLED, due - timedelta(minutes=2))
            row(DeadlineState.MISSED, None, due_at=due + timedelta(minutes=30))
        elif fate == "on_time_and_missed":  # missed, then a raise set a new limit that was kept
            row(DeadlineState.MISSED, None)
            row(DeadlineState.MET, due + timedelta(minutes=1), due_at=due + timedelta(minutes=30))

    def complaint(self, **kw: Any) -> Any:
        rnd = self.rnd
        project = kw.pop("project", None) or rnd.choice(self.projects)
        received = kw.pop("received_at", None) or rnd.choice(TIMES)
        who = rnd.random()
        values = {
            "project": project,
            "number": self._number("TS"),
            "received_at": received,
            "registered_by": self.world.front_desk,
            "channel": rnd.choice(Channel.values),
            "description": "投诉",
            "grade": rnd.choice(Grade.values),
            "nature": rnd.choice(Nature.values),
            "against_department": rnd.choice(Department.values),
            "status": rnd.choice(ComplaintStatus.values),
            "customer": rnd.choice(self.customers[project.pk]) if who < 0.6 else None,
            "unit": rnd.choice(self.units[project.pk]) if 0.3 < who < 0.9 else None,
            "repeat_count": rnd.choice((0, 0, 0, 0, 1, 2)),
        }
        values.update(kw)
        complaint = Complaint.objects.create(**values)
        self._limits(complaint, "response", rnd.choice(LIMIT_FATES), received)
        self._limits(complaint, "resolve", rnd.choice(LIMIT_FATES), received + timedelta(hours=2))
        self._limits(complaint, "inform", rnd.choice(LIMIT_FATES), received + timedelta(hours=5))  # C16
        self.data.complaints.append(complaint)
        return complaint

    def repair(self, **kw: Any) -> Any:
        rnd = self.rnd
        project = kw.pop("project", None) or rnd.choice(self.projects)
        received = kw.pop("received_at", None) or rnd.choice(TIMES)
        standard = rnd.random() < 0.6
        values = {
            "project": project,
            "number": self._number("BX"),
            "received_at": received,
            "registered_by": self.world.front_desk,
            "description": rnd.choice(("水管漏水", " 水管漏水 ", "灯不亮", "Door Lock", "door lock")),
            "price_item": rnd.choice(self.items[project.pk]) if standard else None,
            "unit": rnd.choice(self.units[project.pk]) if rnd.random() < 0.9 else None,
            "status": rnd.choice(RepairStatus.values),
        }
        values.update(kw)
        repair = Repair.objects.create(**values)
        for kind in ("order", "arrive"):
            self._limits(repair, kind, rnd.choice(("none", "on_time", "late", "missed", "pending")), received)
        self.data.repairs.append(repair)
        return repair

    def visit(self, case: Any, **kw: Any) -> Any:
        rnd = self.rnd
        due = rnd.choice(TIMES) + timedelta(hours=rnd.choice((0, 1)))
        status = rnd.choice(("planned", "done", "done", "done", "missed", "cancelled"))
        satisfaction = rnd.choice((None, 1, 2, 3, 4, 5, 5)) if status == "done" else None
        values = {
            "project": case.project,
            "case_type": "complaint" if isinstance(case, Complaint) else "repair",
            "content_type": ContentType.objects.get_for_model(case),
            "object_id": case.pk,
            "due_at": due,
            "visitor_role": "front_desk",
            "planned_at": due - timedelta(days=2),
            "status": status,
            "done_at": due + timedelta(hours=rnd.choice((-3, 5))) if status == "done" else None,
            "satisfaction": satisfaction,
            "unsatisfied": satisfaction is not None and satisfaction <= 2,
        }
        values.update(kw)
        visit = ReturnVisit.objects.create(**values)
        self.data.visits.append(visit)
        return visit

    def unsatisfied_pair(self) -> None:
        """An unsatisfied May visit of a complaint and of a repair: each list of S02 has rows of both kinds."""
        for case in (self.complaint(received_at=local(2026, 5, 4)), self.repair(received_at=local(2026, 5, 4))):
            due = local(2026, 5, 8, 12)
            self.visit(case, status="done", due_at=due, done_at=due, satisfaction=1, unsatisfied=True)

    def households(self) -> None:
        rnd = self.rnd
        for project in self.projects:
            running = HouseholdVisitCampaign.objects.create(
                project=project,
                name="上半年走访",
                start=date(2026, 4, 1),
                end=date(2026, 9, 30),
                created_by=self.world.supervisor,
                created_at=local(2026, 3, 20),
            )
            old = HouseholdVisitCampaign.objects.create(
                project=project,
                name="去年下半年",
                start=date(2025, 10, 1),
                end=date(2026, 3, 31),
                created_by=self.world.supervisor,
                created_at=local(2025, 9, 20),
            )
            for campaign in (running, old):
                for unit in self.units[project.pk]:
                    visited = rnd.choice((None, local(2026, 5, 10), local(2026, 5, 31, 23, 59), local(2026, 6, 1)))
                    household = HouseholdVisit.objects.create(campaign=campaign, unit=unit, visited_at=visited)
                    self.data.households.append(household)
                    cases = [c for c in self.data.complaints if c.project_id == project.pk]
                    repairs = [r for r in self.data.repairs if r.project_id == project.pk]
                    if cases and repairs and rnd.random() < 0.7:
                        use_complaint = rnd.random() < 0.5
                        issue = HouseholdIssue.objects.create(
                            household=household,
                            description="楼道灯坏",
                            complaint=rnd.choice(cases) if use_complaint else None,
                            repair=None if use_complaint else rnd.choice(repairs),
                            created_at=rnd.choice(TIMES),
                            created_by=self.world.butler,
                        )
                        self.data.issues.append(issue)

    def month(self, complaints: int = 60, repairs: int = 50) -> Generated:
        for _ in range(complaints):
            self.complaint()
        for _ in range(repairs):
            self.repair()
        # Repeats S02 must find: one customer about one department, one unit and one standard item.
        customer = self.customers[self.world.estate.pk][0]
        for day in (3, 12):
            self.complaint(
                project=self.world.estate,
                customer=customer,
                against_department=Department.SECURITY,
                received_at=local(2026, 5, day, 10),
                repeat_count=0,
            )
        unit = self.units[self.world.estate.pk][0]
        item = self.items[self.world.estate.pk][0]
        for day in (2, 9, 20):
            self.repair(
                project=self.world.estate,
                unit=unit,
                price_item=item,
                received_at=local(2026, 5, day, 10),
                status=RepairStatus.COMPLETED,
            )
        cases = self.data.complaints + self.data.repairs
        for case in self.rnd.sample(cases, k=len(cases) * 2 // 3):
            self.visit(case)
        self.households()
        return self.data


@pytest.fixture
def generate(world):
    """``generate(seed)`` fills May 2026 (and the months around it) of both estates; returns the rows."""

    def make(seed: int = 7, **kw: Any) -> tuple[Generator, Generated]:
        generator = Generator(world, seed)
        return generator, generator.month(**kw)

    return make
