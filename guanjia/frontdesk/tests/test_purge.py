"""Retention (S06): ledger entries are purged only after their retention, deliberately and on record."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from guanjia.frontdesk import services
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, Visitor, VisitorStatus
from guanjia.timeline.models import Event


def old_visitor(world, days, status=VisitorStatus.LEFT):
    return Visitor.objects.create(
        project=world.estate,
        name="旧访客",
        host_unit=world.unit,
        arrived_at=timezone.now() - timedelta(days=days),
        registered_by=world.front_desk,
        status=status,
    )


def old_item(world, days, status=CustodyStatus.HANDED_OVER, kind=CustodyKind.PARCEL, project=None):
    return CustodyItem.objects.create(
        project=project or world.estate,
        kind=kind,
        description="旧包裹",
        owner_unit=world.unit if project is None else None,
        received_at=timezone.now() - timedelta(days=days),
        received_by=world.front_desk,
        status=status,
    )


def test_s06_purge_deletes_only_closed_entries_past_retention_and_records_it(world):
    gone_visitor = old_visitor(world, 800)
    kept_recent = old_visitor(world, 700)
    kept_inside = old_visitor(world, 800, status=VisitorStatus.ADMITTED)
    gone_item = old_item(world, 800)
    kept_held = old_item(world, 800, status=CustodyStatus.HELD)
    kept_loan_out = old_item(world, 800, kind=CustodyKind.LOAN)
    other_estate_item = old_item(world, 800, project=world.other_estate)

    result = services.ledgers_purge(project=world.estate, actor=world.office_manager)

    assert (result.visitors, result.custody_items) == (1, 1)
    assert not Visitor.objects.filter(pk=gone_visitor.pk).exists()
    assert set(Visitor.objects.values_list("pk", flat=True)) == {kept_recent.pk, kept_inside.pk}
    assert not CustodyItem.objects.filter(pk=gone_item.pk).exists()
    assert set(CustodyItem.objects.values_list("pk", flat=True)) == {
        kept_held.pk,
        kept_loan_out.pk,
        other_estate_item.pk,
    }
    event = Event.objects.for_subject(world.estate).get(verb="frontdesk.ledgers_purged")
    assert event.actor == world.office_manager
    assert event.data["visitors"] == 1 and event.data["custody_items"] == 1 and "custody_before" in event.data


def test_s06_front_desk_and_outsider_cannot_purge(world):
    with pytest.raises(PermissionDenied):
        services.ledgers_purge(project=world.estate, actor=world.front_desk)
    with pytest.raises(PermissionDenied):
        services.ledgers_purge(project=world.estate, actor=world.outsider)


def test_s06_retention_under_two_years_is_refused(world, settings):
    settings.FRONTDESK_VISITOR_RETENTION_DAYS = 365
    with pytest.raises(ValueError, match="730"):
        services.ledgers_purge(project=world.estate, actor=world.office_manager)


def test_s06_purge_command_dry_run_deletes_nothing_and_the_real_run_is_recorded(world, capsys):
    old_visitor(world, 800)
    call_command("purge_ledgers", "--project", "binjiang", "--user", "manager", "--dry-run")
    assert Visitor.objects.count() == 1
    assert "1" in capsys.readouterr().out
    call_command("purge_ledgers", "--project", "binjiang", "--user", "manager")
    assert Visitor.objects.count() == 0
    assert Event.objects.filter(verb="frontdesk.ledgers_purged").count() == 1
