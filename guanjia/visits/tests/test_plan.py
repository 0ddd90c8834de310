"""V01, V04: the return visit of a completed repair is planned at completion, due at the end of the 2nd
working day after it, to be made by the front desk."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from guanjia.repairs.models import Repair
from guanjia.visits.models import ReturnVisit, VisitStatus
from guanjia.visits.services import return_visit_plan

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def repair(world) -> Repair:
    return Repair.objects.create(
        project=world.estate,
        number="BX2609300001",
        unit=world.unit,
        customer=world.customer,
        received_at=datetime(2026, 9, 30, 9, 0, tzinfo=SH),
        registered_by=world.front_desk,
        description="漏水",
    )


def test_v01_repair_completed_before_national_day_is_visited_by_end_of_9_october(world, repair):
    visit = return_visit_plan(
        case=repair, case_type="repair", completed_at=datetime(2026, 9, 30, 15, 0, tzinfo=SH), actor=world.technician
    )
    assert timezone.localtime(visit.due_at) == datetime(2026, 10, 10, 0, 0, tzinfo=SH)  # 24:00 of 9 October
    assert visit.visitor_role == "front_desk"
    assert visit.status == VisitStatus.PLANNED
    assert not visit.on_site_required


def test_v01_planning_twice_keeps_one_visit(world, repair):
    at = datetime(2026, 11, 2, 10, 0, tzinfo=SH)  # a Monday
    first = return_visit_plan(case=repair, case_type="repair", completed_at=at, actor=None)
    again = return_visit_plan(case=repair, case_type="repair", completed_at=at, actor=None)
    assert first.pk == again.pk and ReturnVisit.objects.count() == 1
    assert timezone.localtime(first.due_at) == datetime(2026, 11, 5, 0, 0, tzinfo=SH)  # end of Wednesday


def test_v01_unknown_case_type_is_a_programming_error(world, repair):
    with pytest.raises(ValueError):
        return_visit_plan(case=repair, case_type="parcel", completed_at=timezone.now(), actor=None)
