"""What the stories of one estate share: its people, homes, residents, price list, a seeded generator and the
clock; plus small helpers (times of day, a signature scribble)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone
from PIL import Image, ImageDraw

from guanjia.accounts.models import Role, User
from guanjia.desk.history.clock import Clock, Scheduler
from guanjia.estates.models import Customer, CustomerKind, Project, Residency, Unit, UnitStatus
from guanjia.repairs.models import PriceItem


@dataclass
class Estate:
    project: Project
    rng: random.Random
    clock: Clock
    scheduler: Scheduler
    start: datetime  # the first moment of the history (local midnight)
    end: datetime  # the real "now": nothing happens after it
    gm: User
    staff: dict[str, list[User]] = field(default_factory=dict)  # by role
    residents: list[tuple[Customer, Unit]] = field(default_factory=list)  # who complains and asks for repairs
    vacant: list[Unit] = field(default_factory=list)
    items: dict[str, PriceItem] = field(default_factory=dict)  # by code

    @classmethod
    def build(
        cls, project: Project, *, rng: random.Random, scheduler: Scheduler, start: datetime, end: datetime
    ) -> Estate:
        gm = User.objects.filter(role=Role.GENERAL_MANAGER, company_wide=True, is_superuser=False).order_by("pk")[0]
        staff: dict[str, list[User]] = {}
        for user in User.objects.filter(projects=project, is_active=True).order_by("pk"):
            staff.setdefault(user.role, []).append(user)
        residents = [
            (r.customer, r.unit)
            for r in Residency.objects.filter(unit__project=project, unit__status=UnitStatus.OCCUPIED)
            .exclude(customer__kind=CustomerKind.HOUSEHOLD_MEMBER)
            .select_related("customer", "unit__building")
            .order_by("pk")
        ]
        vacant = list(Unit.objects.filter(project=project, status=UnitStatus.VACANT).select_related("building"))
        items = {i.code: i for i in PriceItem.objects.filter(project=project, active=True)}
        return cls(project, rng, scheduler.clock, scheduler, start, end, gm, staff, residents, vacant, items)

    # --- people ------------------------------------------------------------------------------------------

    def one(self, *roles: str) -> User:
        """Someone of the first of ``roles`` the estate has (the rng picks among several)."""
        for role in roles:
            people = self.staff.get(role)
            if people:
                return self.rng.choice(people)
        raise LookupError(f"{self.project.code} has none of {roles}")

    def first(self, *roles: str) -> User:
        for role in roles:
            people = self.staff.get(role)
            if people:
                return people[0]
        raise LookupError(f"{self.project.code} has none of {roles}")

    def desk(self) -> User:
        return self.one(Role.FRONT_DESK)

    def technicians(self) -> list[User]:
        return self.staff.get(Role.TECHNICIAN, [])

    def resident(self) -> tuple[Customer, Unit]:
        return self.rng.choice(self.residents)

    # --- time --------------------------------------------------------------------------------------------

    def day(self, n: int) -> datetime:
        """Local midnight of day ``n`` of the history."""
        return self.start + timedelta(days=n)

    def at(self, day: int, clock_time: time) -> datetime:
        return timezone.make_aware(datetime.combine(timezone.localdate(self.day(day)), clock_time))

    def daytime(self, day: int, *, first: int = 8, last: int = 21) -> datetime:
        """A moment of day ``day`` when residents call, weighted to the busy hours."""
        hours = list(range(first, last))
        weights = [3 if h in (9, 10, 14, 15, 19, 20) else 2 for h in hours]
        hour = self.rng.choices(hours, weights=weights)[0]
        return self.at(day, time(hour, self.rng.randrange(60), self.rng.randrange(60)))

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=self.rng.uniform(low * 60, high * 60))

    def working_hours_after(self, moment: datetime, delay: timedelta) -> datetime:
        """``moment + delay``, moved to 08:30 next morning when that falls at night."""
        when = moment + delay
        local = timezone.localtime(when)
        if local.hour >= 21 or local.hour < 8:
            morning = local.date() + timedelta(days=1 if local.hour >= 21 else 0)
            when = timezone.make_aware(datetime.combine(morning, time(8, 30))) + self.minutes(0, 60)
        return when


#: Signatures drawn so far, by variant: a dozen hands are enough, and drawing each PNG once saves time.
_SIGNATURES: dict[int, bytes] = {}
SIGNATURE_VARIANTS = 12


def scribble(rng: random.Random) -> bytes:
    """A signature as the phone's canvas sends it: a PNG of a few pen strokes (one of a dozen hands)."""
    variant = rng.randrange(SIGNATURE_VARIANTS)
    if variant not in _SIGNATURES:
        _SIGNATURES[variant] = _draw(random.Random(variant))
    return _SIGNATURES[variant]


def _draw(rng: random.Random, width: int = 360, height: int = 140) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    x = rng.uniform(20, 50)
    for _stroke in range(rng.randint(2, 4)):
        points = []
        y = rng.uniform(40, height - 40)
        for _ in range(rng.randint(5, 9)):
            x = min(width - 10, x + rng.uniform(8, 30))
            y = max(10, min(height - 10, y + rng.uniform(-28, 28)))
            points.append((x, y))
        pen.line(points, fill=(20, 30, 90, 255), width=3, joint="curve")
        x = min(width - 60, x + rng.uniform(5, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
