"""S01, S05: the month's complaint and repair figures equal the per-row definition they were first written with
(a correlated EXISTS per limit, kept here verbatim as the reference), on generated months of both estates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.complaints.models import Complaint
from guanjia.repairs.models import Repair
from guanjia.reports.selectors import monthly_figures

from .conftest import MONTH, local

DONE_COMPLAINT = ("completed", "closed")
DONE_REPAIR = ("completed", "returned", "closed")


def _limits(model: Any, kind: str) -> Any:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk"), kind=kind
    ).exclude(state=DeadlineState.CANCELLED)


def _kept(model: Any, kind: str) -> Q:
    limits = _limits(model, kind)
    kept = limits.filter(met_at__isnull=False, met_at__lte=F("due_at"))
    broken = limits.filter(Q(state=DeadlineState.MISSED) | Q(met_at__gt=F("due_at")))
    return Q(Exists(kept)) & ~Q(Exists(broken))


def reference(project_ids: list[int], month: date) -> dict[str, Any]:
    """The figures as they were computed before the set-wise rewrite (one EXISTS per complaint and limit)."""
    from guanjia.core.periods import month_bounds

    start, end = month_bounds(month)
    complaints = Complaint.objects.filter(project_id__in=project_ids, received_at__gte=start, received_at__lt=end)
    repairs = Repair.objects.filter(project_id__in=project_ids, received_at__gte=start, received_at__lt=end)
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Repair), subject_id=OuterRef("pk"), state=DeadlineState.MISSED
    )
    return {
        "complaints": complaints.aggregate(
            total=Count("id"),
            responded_in_time=Count("id", filter=_kept(Complaint, "response")),
            resolved_in_time=Count("id", filter=_kept(Complaint, "resolve")),
            handled=Count("id", filter=Q(status__in=DONE_COMPLAINT)),
            inform_due=Count("id", filter=Q(Exists(_limits(Complaint, "inform")))),
            informed_same_day=Count("id", filter=_kept(Complaint, "inform")),
        ),
        "repairs": repairs.aggregate(
            total=Count("id"),
            completed=Count("id", filter=Q(status__in=DONE_REPAIR)),
            on_time=Count("id", filter=Q(status__in=DONE_REPAIR) & ~Q(Exists(missed))),
        ),
    }


def _rows_around(gen: Any, world: Any) -> None:
    """Cases whose limits sit on the edges of the rules: none at all, only replaced ones, met exactly at the due
    time, met late while recorded met, and a repair done with no limit."""
    from datetime import timedelta

    for project in (world.estate, world.other_estate):
        for day in (6, 7):
            complaint = gen.complaint(project=project, received_at=local(2026, 5, day, 9), status="completed")
            repair = gen.repair(project=project, received_at=local(2026, 5, day, 9), status="completed")
            for subject, kind in ((complaint, "response"), (complaint, "inform"), (repair, "arrive")):
                ct = ContentType.objects.get_for_model(subject)
                due = subject.received_at + timedelta(hours=1)
                common = {"project": project, "subject_type": ct, "subject_id": subject.pk, "kind": kind}
                if day == 6:  # only a replaced limit: as if it had none
                    Deadline.objects.create(**common, due_at=due, state=DeadlineState.CANCELLED, met_at=due)
                else:  # met exactly at its due time, and another met after it while recorded met
                    Deadline.objects.create(**common, due_at=due, state=DeadlineState.MET, met_at=due)
                    Deadline.objects.create(
                        **common, due_at=due, state=DeadlineState.MET, met_at=due + timedelta(seconds=1)
                    )
        gen.repair(project=project, received_at=local(2026, 5, 8, 9), status="closed")  # no limit at all


@pytest.mark.parametrize("seed", [1, 7, 2026, 31337])
def test_s01_s05_figures_equal_the_per_row_reference(generate, world, seed):
    gen, _data = generate(seed, complaints=120, repairs=100)
    _rows_around(gen, world)
    months = [date(2026, 4, 1), MONTH, date(2026, 6, 1), date(2026, 3, 1), date(2025, 12, 1)]
    for ids in ([world.estate.pk], [world.other_estate.pk], [world.estate.pk, world.other_estate.pk]):
        for month in months:
            figures = monthly_figures(projects=ids, month=month)
            expected = reference(ids, month)
            got = {
                "complaints": {k: figures["complaints"][k] for k in expected["complaints"]},
                "repairs": figures["repairs"],
            }
            assert got == expected, (ids, month)
    # The generated May has something in every figure, so an equality of zeros proves nothing here.
    may = reference([world.estate.pk, world.other_estate.pk], MONTH)
    assert all(may["complaints"].values()) and all(may["repairs"].values())


def test_s01_monthly_figures_ask_a_fixed_number_of_queries(generate, world):
    ids = [world.estate.pk, world.other_estate.pk]
    monthly_figures(projects=ids, month=MONTH)  # content types cached
    with CaptureQueriesContext(connection) as empty:
        monthly_figures(projects=ids, month=MONTH)
    generate(5)
    with CaptureQueriesContext(connection) as full:
        monthly_figures(projects=ids, month=MONTH)
    assert len(empty) == len(full) == 5
