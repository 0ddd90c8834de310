"""Four weeks of realistic cases for the demo, replayed through the product's services on a simulated clock.

``load_history`` runs every story (complaints, repairs, the counter's ledgers and duty log) in time order up
to the real "now", with the deadline sweep at the moments limits fall due, so every timeline event, deadline,
escalation and notification is what the live desk would have recorded. Seeded: the same seed and "now" give
the same history.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from guanjia.complaints.models import OPEN_STATUSES as OPEN_COMPLAINTS
from guanjia.complaints.models import Complaint, Incident
from guanjia.desk.history import complaints, counter, repairs, visits
from guanjia.desk.history.clock import SWEEP_LAG, Clock, Scheduler, simulated_time
from guanjia.desk.history.estate import Estate
from guanjia.estates.models import Project
from guanjia.repairs.models import OPEN_STATUSES as OPEN_REPAIRS
from guanjia.repairs.models import Repair
from guanjia.visits.models import ReturnVisit, VisitStatus

DAYS = 28
#: The sweeper last ran this long before the demo was loaded: a limit that fell due since shows as overdue
#: on the live board until the server's own sweeper picks it up.
LAST_SWEEP_BEFORE_END = timedelta(minutes=3)

__all__ = ["DAYS", "SWEEP_LAG", "Clock", "history_start", "load_history", "simulated_time"]


def history_start(end: datetime) -> datetime:
    """Local midnight ``DAYS`` days before ``end``: the first moment of the history."""
    first_day = timezone.localdate(end) - timedelta(days=DAYS)
    return timezone.make_aware(datetime.combine(first_day, time(0, 0)))


def load_history(projects: list[Project], *, clock: Clock, end: datetime, seed: int) -> dict[str, int]:
    """Replay the history of ``projects`` (the first one is the busier estate) up to ``end``. The caller holds
    ``simulated_time(clock)`` and a transaction."""
    start = history_start(end)
    clock.set(start)
    scheduler = Scheduler(clock, end=end, sweep_end=end - LAST_SWEEP_BEFORE_END)
    estates = {}
    for index, project in enumerate(projects):
        est = Estate.build(project, rng=random.Random(seed * 10 + index), scheduler=scheduler, start=start, end=end)
        estates[project.pk] = est
        busy = index == 0
        complaints.spawn(est, scheduler, complaints.plan_history(est) + complaints.plan_live(est, busy=busy))
        if busy:
            scheduler.spawn(est.at(DAYS - 12, time(19, 9)), complaints.lift_incident_story(est, DAYS - 12))
        repairs.spawn(est, scheduler, repairs.plan_history(est) + repairs.plan_live(est, busy=busy))
        counter.spawn(est, scheduler, with_gm=busy)
    scheduler.watchers += [complaints.EscalationDesk(estates, scheduler), visits.VisitDesk(estates, scheduler)]
    scheduler.run()
    ids = [p.pk for p in projects]
    return {
        "complaints": Complaint.objects.filter(project__in=ids).count(),
        "open_complaints": Complaint.objects.filter(project__in=ids, status__in=OPEN_COMPLAINTS).count(),
        "incidents": Incident.objects.filter(project__in=ids).count(),
        "repairs": Repair.objects.filter(project__in=ids).count(),
        "open_repairs": Repair.objects.filter(project__in=ids, status__in=OPEN_REPAIRS).count(),
        "return_visits": ReturnVisit.objects.filter(project__in=ids).count(),
        "visits_done": ReturnVisit.objects.filter(project__in=ids, status=VisitStatus.DONE).count(),
        "steps": scheduler.steps,
        "sweeps": scheduler.sweeps,
    }
