"""Household visits (V09): a campaign of door-to-door visits, each household's visit and the issues raised
on it (registered as complaints or repairs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_manage_campaigns, can_visit_households
from guanjia.complaints.services import complaint_register
from guanjia.estates.models import Building, Customer, Project, Unit
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.timeline.services import record
from guanjia.visits.models import HouseholdIssue, HouseholdVisit, HouseholdVisitCampaign
from guanjia.visits.services._common import _error, _require, _text, _when

# --- household visits (V09) ---------------------------------------------------------------------------------


def campaign_create(
    *,
    project: Project,
    name: str,
    start: date,
    end: date,
    actor: Any,
    buildings: Sequence[Building] = (),
    target_coverage: int = 98,
) -> HouseholdVisitCampaign:
    """V09: a half-year round of household visits listing every unit of the project (or of ``buildings``)."""
    _require(can_manage_campaigns(actor, project))
    name = _text(name, "name", required=True, max_length=100)
    if not isinstance(start, date) or not isinstance(end, date):
        raise _error("start", _("请填写开始和结束日期"))
    if end < start:
        raise _error("end", _("结束日期不能早于开始日期"))
    if (end - start).days > 366:
        raise _error("end", _("走访周期不能超过一年"))
    if not 1 <= int(target_coverage) <= 100:
        raise _error("target_coverage", _("目标走访率须在 1–100 之间"))
    if any(b.project_id != project.pk for b in buildings):
        raise _error("buildings", _("楼栋不属于本项目"))
    units = Unit.objects.filter(project=project)
    if buildings:
        units = units.filter(building__in=list(buildings))
    unit_ids = list(units.order_by("building_id", "entrance", "room").values_list("pk", flat=True))
    if not unit_ids:
        raise _error("buildings", _("所选范围内没有房屋"))
    now = timezone.now()
    with transaction.atomic():
        campaign = HouseholdVisitCampaign.objects.create(
            project=project,
            name=name,
            start=start,
            end=end,
            target_coverage=int(target_coverage),
            created_by=actor,
            created_at=now,
        )
        campaign.buildings.set(buildings)
        HouseholdVisit.objects.bulk_create([HouseholdVisit(campaign=campaign, unit_id=pk) for pk in unit_ids])
        record(subject=campaign, verb="campaign.created", actor=actor, at=now, data={"households": len(unit_ids)})
    return campaign


def household_visit_record(
    *,
    household: HouseholdVisit,
    actor: Any,
    notes: str = "",
    issues_raised: str = "",
    customer: Customer | None = None,
    at: datetime | None = None,
) -> HouseholdVisit:
    """V09: the household has been visited (again: the latest visit's notes are kept)."""
    campaign = household.campaign
    _require(can_visit_households(actor, campaign.project_id))
    now = timezone.now()
    when = _when(at, "at", now=now)
    notes = _text(notes, "notes")
    issues_raised = _text(issues_raised, "issues_raised")
    if customer is not None and customer.project_id != campaign.project_id:
        raise _error("customer", _("客户不属于本项目"))
    with transaction.atomic():
        current = HouseholdVisit.objects.select_for_update().get(pk=household.pk)
        current.visited_at, current.visitor, current.customer = when, actor, customer
        current.notes, current.issues_raised = notes, issues_raised
        current.save(update_fields=["visited_at", "visitor", "customer", "notes", "issues_raised"])
        record(
            subject=campaign,
            verb="campaign.household_visited",
            actor=actor,
            at=when,
            data={"household": current.pk, "unit": current.unit_id},
        )
    return current


def household_issue_raise(*, household: HouseholdVisit, kind: str, description: str, actor: Any) -> HouseholdIssue:
    """V09: an issue a household raised becomes a complaint or a repair in one step, tracked until handled."""
    campaign = household.campaign
    _require(can_visit_households(actor, campaign.project_id))
    description = _text(description, "description", required=True)
    if kind not in ("complaint", "repair"):
        raise _error("kind", _("请选择登记为投诉或报修"))
    if household.visited_at is None:
        raise _error("household", _("请先记录走访"))
    customer = household.customer or household.unit.customers.order_by("pk").first()
    now = timezone.now()
    with transaction.atomic():
        issue = HouseholdIssue(household=household, description=description, created_at=now, created_by=actor)
        if kind == "complaint":
            if customer is None:
                raise _error("customer", _("该户没有客户档案，请先登记客户"))
            issue.complaint = complaint_register(
                project=campaign.project,
                actor=actor,
                channel="visit",
                description=_("走访提出：%(text)s") % {"text": description},
                customer=customer,
                unit=household.unit,
                now=now,
            )
        else:
            issue.repair = repair_log(
                project=campaign.project,
                request=RepairRequest(
                    description=_("走访提出：%(text)s") % {"text": description},
                    unit=household.unit,
                    customer=customer,
                    customer_name="" if customer else household.unit.number,
                ),
                actor=actor,
            )
        issue.save()
        record(
            subject=campaign,
            verb="campaign.issue_raised",
            actor=actor,
            at=now,
            data={"household": household.pk, "complaint": issue.complaint_id, "repair": issue.repair_id},
        )
    return issue
