"""V09: the household-visit campaign page and the monthly report count "issue handled" the same way."""

from __future__ import annotations

import pytest

from guanjia.complaints.models import ComplaintStatus
from guanjia.repairs.models import RepairStatus
from guanjia.reports.selectors import household_figures, monthly_figures
from guanjia.visits import selectors as visit_selectors
from guanjia.visits.models import HouseholdIssue, HouseholdVisit, HouseholdVisitCampaign

from .conftest import MONTH, Generator, local

pytestmark = pytest.mark.django_db


def test_v09_campaign_page_and_monthly_report_agree_on_handled_issues(world):
    # Given a May campaign whose households raised six issues: a completed complaint, an open complaint, a
    # completed repair, a repair the customer declined (R08), a cancelled one and one still in progress
    gen = Generator(world, seed=5)
    campaign = HouseholdVisitCampaign.objects.create(
        project=world.estate,
        name="上半年走访",
        start=MONTH.replace(month=4),
        end=MONTH.replace(month=9, day=30),
        created_by=world.supervisor,
        created_at=local(2026, 3, 20),
    )
    cases = [
        gen.complaint(project=world.estate, status=ComplaintStatus.COMPLETED),
        gen.complaint(project=world.estate, status=ComplaintStatus.DISPATCHED),
        gen.repair(project=world.estate, status=RepairStatus.COMPLETED),
        gen.repair(project=world.estate, status=RepairStatus.DECLINED),
        gen.repair(project=world.estate, status=RepairStatus.CANCELLED),
        gen.repair(project=world.estate, status=RepairStatus.IN_PROGRESS),
    ]
    households = [
        HouseholdVisit.objects.create(campaign=campaign, unit=unit, visited_at=local(2026, 5, 10))
        for unit in gen.units[world.estate.pk]
    ]
    for i, case in enumerate(cases):
        household = households[i % len(households)]
        is_repair = case.CASE_TYPE == "repair"
        HouseholdIssue.objects.create(
            household=household,
            description="楼道灯坏",
            complaint=None if is_repair else case,
            repair=case if is_repair else None,
            created_at=local(2026, 5, 12, 9),
            created_by=world.butler,
        )

    # When the campaign page and the monthly report count them
    row = visit_selectors.campaigns_for(world.supervisor).get(pk=campaign.pk)
    figures = household_figures(projects=[world.estate.pk], month=MONTH)

    # Then both see six issues of which four are handled: the declined and the cancelled repair ended with
    # their reason recorded; the open complaint and the repair in progress are not handled yet
    assert (row.issue_count, row.handled_count) == (6, 4)
    assert (figures["issues"], figures["issues_handled"]) == (row.issue_count, row.handled_count)
    issues = HouseholdIssue.objects.filter(household__campaign=campaign).select_related("complaint", "repair")
    assert sum(visit_selectors.issue_handled(issue) for issue in issues) == 4
    handling = monthly_figures(projects=[world.estate.pk], month=MONTH)["rates"]["handling"]
    assert (handling["numerator"], handling["denominator"]) == (4, 6)
    assert visit_selectors.percent(row.handled_count, row.issue_count) == round(100 * handling["value"], 1)
