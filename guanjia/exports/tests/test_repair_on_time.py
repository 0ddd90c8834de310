"""S03, S05: the repair export's 是否及时 and the monthly report's 维修及时率 are one definition."""

from __future__ import annotations

from django.db.models import F

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.repairs.selectors import repair_timeliness
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.reports.selectors import repair_figures

from .test_exports import URL, at, last_month, sheet_rows, workbook


def test_s05_repair_export_on_time_agrees_with_the_monthly_rate(world, api_as):
    # Given four repairs of last month: done with every limit kept, done with a limit missed, under way with a
    # limit missed, and under way with every limit kept so far
    month = last_month()
    repairs = [
        repair_log(
            project=world.estate,
            request=RepairRequest(
                description="水管漏水", unit=world.unit, customer=world.customer, received_at=at(month.replace(day=d))
            ),
            actor=world.front_desk,
        )
        for d in (3, 4, 5, 6)
    ]
    kept, late, stuck, going = repairs
    for repair in (kept, going):
        Deadline.objects.filter(subject_id=repair.pk, subject_type__model="repair").update(
            state=DeadlineState.MET, met_at=F("due_at"), late=False
        )
    for repair in (late, stuck):
        Deadline.objects.filter(subject_id=repair.pk, subject_type__model="repair", kind="order").update(
            state=DeadlineState.MISSED, met_at=None
        )
    Repair.objects.filter(pk__in=[kept.pk, late.pk]).update(status=RepairStatus.COMPLETED)
    Repair.objects.filter(pk__in=[stuck.pk, going.pk]).update(status=RepairStatus.IN_PROGRESS)

    # When the export, the monthly report and the repairs' own page count them
    rows = sheet_rows(
        workbook(
            api_as(world.supervisor).get(URL.format("repairs"), {"project": world.estate.pk, "month": f"{month:%Y-%m}"})
        )
    )
    timely = {row[0]: row[rows[0].index("是否及时")] or "" for row in rows[1:]}
    figures = repair_figures(projects=[world.estate.pk], month=month)
    page = repair_timeliness(project=world.estate, month=month)

    # Then each says the same: one of two done repairs on time; a missed limit shows at once
    assert timely == {kept.number: "是", late.number: "否", stuck.number: "否", going.number: ""}
    assert (figures["completed"], figures["on_time"]) == (2, 1) == (page.completed, page.on_time)
    assert list(timely.values()).count("是") == figures["on_time"]
