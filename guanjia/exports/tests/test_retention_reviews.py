"""S06: nothing is deleted before its retention ends; deletion after it is deliberate (manager, reason, dry run
first) and recorded. S07: the supervisor's monthly summary and yearly review, recorded with the figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from guanjia.accounts.models import Role
from guanjia.complaints.models import Complaint
from guanjia.frontdesk.models import CustodyItem
from guanjia.testing.factories import make_staff
from guanjia.timeline.models import Event
from guanjia.visits.models import ReturnVisit

from .bulk import bulk_complaints

TODAY = date(2026, 6, 15)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def visit(world, done: date, **kw) -> ReturnVisit:
    complaint = Complaint.objects.order_by("?").first()
    values = {
        "project": world.estate,
        "case_type": "complaint",
        "content_type": ContentType.objects.get_for_model(Complaint),
        "object_id": (complaint.pk if complaint else 0) + ReturnVisit.objects.count() + 1000,
        "due_at": at(done) + timedelta(days=1),
        "visitor_role": Role.CS_SUPERVISOR,
        "planned_at": at(done) - timedelta(days=1),
        "status": "done",
        "done_at": at(done),
        "satisfaction": 4,
        **kw,
    }
    return ReturnVisit.objects.create(**values)


@pytest.fixture
def visits(world):
    """Visits done three years, 25 months and one year before TODAY."""
    return [
        visit(world, TODAY - timedelta(days=3 * 365)),
        visit(world, TODAY - timedelta(days=760)),
        visit(world, TODAY - timedelta(days=365)),
    ]


def purge(world, **kw):
    from guanjia.exports.retention import retention_purge

    values = {
        "project": world.estate,
        "kind": "return_visits",
        "before": TODAY - timedelta(days=730),
        "actor": world.office_manager,
        "reason": "到期清理",
        "today": TODAY,
        **kw,
    }
    return retention_purge(**values)


def test_s06_purge_refuses_records_younger_than_two_years(world, visits):
    from guanjia.exports.services import ExportError

    with pytest.raises(ExportError) as refused:
        purge(world, before=TODAY - timedelta(days=729))
    assert refused.value.field == "before"
    assert ReturnVisit.objects.count() == 3


def test_s06_complaint_forms_are_never_purged_by_default(world):
    from guanjia.exports.services import ExportError

    bulk_complaints(world.estate, world.front_desk, 3, start=at(date(2010, 1, 1)))
    with pytest.raises(ExportError) as refused:
        purge(world, kind="complaints", before=date(2015, 1, 1))
    assert refused.value.field == "kind"
    assert Complaint.objects.count() == 3


def test_s06_complaint_forms_purged_only_when_explicitly_configured(world, settings):
    settings.RETENTION_DAYS = {"complaints": 3650}
    bulk_complaints(world.estate, world.front_desk, 3, start=at(date(2010, 1, 1)))
    result = purge(world, kind="complaints", before=date(2015, 1, 1))
    assert result.counts == {"complaints.complaint": 3}
    assert Complaint.objects.count() == 0


def test_s06_configuration_cannot_shorten_the_two_years(world, settings, visits):
    from guanjia.exports.retention import retention_days
    from guanjia.exports.services import ExportError

    settings.RETENTION_DAYS = {"return_visits": 30}
    assert retention_days("return_visits") == 730
    with pytest.raises(ExportError):
        purge(world, before=TODAY - timedelta(days=100))


def test_s06_dry_run_counts_and_changes_nothing(world, visits):
    from guanjia.exports.models import RetentionPurge

    result = purge(world, dry_run=True, reason="")
    assert result.dry_run and result.counts["visits.returnvisit"] == 2
    assert ReturnVisit.objects.count() == 3
    assert not RetentionPurge.objects.exists()
    assert not Event.objects.filter(verb="retention.purged").exists()


def test_s06_purge_deletes_old_records_only_and_is_recorded(world, visits):
    from guanjia.exports.models import RetentionPurge

    result = purge(world)
    assert result.counts["visits.returnvisit"] == 2
    assert list(ReturnVisit.objects.all()) == [visits[2]]
    record = RetentionPurge.objects.get()
    assert (record.actor, record.kind, record.before, record.reason) == (
        world.office_manager,
        "return_visits",
        TODAY - timedelta(days=730),
        "到期清理",
    )
    assert record.counts["visits.returnvisit"] == 2
    event = Event.objects.get(verb="retention.purged")
    assert event.actor == world.office_manager and event.reason == "到期清理"
    assert event.data["counts"]["visits.returnvisit"] == 2


def test_s06_purge_needs_a_reason(world, visits):
    from guanjia.exports.services import ExportError

    with pytest.raises(ExportError) as refused:
        purge(world, reason="  ")
    assert refused.value.field == "reason"


def test_s06_ledgers_keep_items_still_held(world):
    old = TODAY - timedelta(days=800)
    for status in ("held", "handed_over"):
        CustodyItem.objects.create(
            project=world.estate,
            kind="parcel",
            description="快递",
            received_at=at(old),
            received_by=world.front_desk,
            status=status,
        )
    result = purge(world, kind="ledgers")
    assert result.counts["frontdesk.custodyitem"] == 1
    assert list(CustodyItem.objects.values_list("status", flat=True)) == ["held"]


@pytest.mark.parametrize("persona", ["supervisor", "front_desk", "butler", "outsider"])
def test_s06_only_the_managers_of_the_project_purge(world, visits, persona):
    with pytest.raises(PermissionError):
        purge(world, actor=world.persona(persona))
    assert ReturnVisit.objects.count() == 3


def test_s06_outsider_manager_cannot_purge_another_project(world, visits):
    stranger = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="stranger")
    with pytest.raises(PermissionError):
        purge(world, actor=stranger)
    assert ReturnVisit.objects.count() == 3


def test_s06_retention_page_dry_run_then_confirm(world, web_as):
    old = timezone.localdate() - timedelta(days=1000)
    visit(world, old)
    client = web_as(world.office_manager)
    before = f"{timezone.localdate() - timedelta(days=730):%Y-%m-%d}"
    response = client.post(reverse("exports:retention"), {"kind": "return_visits", "before": before, "reason": "到期"})
    assert response.status_code == 200 and "data-dry-run" in response.content.decode()
    assert ReturnVisit.objects.count() == 1
    response = client.post(
        reverse("exports:retention"), {"kind": "return_visits", "before": before, "reason": "到期", "confirm": "1"}
    )
    assert response.status_code == 302
    assert ReturnVisit.objects.count() == 0
    assert "到期" in client.get(reverse("exports:retention")).content.decode()


def test_s06_retention_page_refuses_young_date_naming_the_field(world, web_as):
    before = f"{timezone.localdate() - timedelta(days=10):%Y-%m-%d}"
    response = web_as(world.office_manager).post(
        reverse("exports:retention"), {"kind": "return_visits", "before": before, "reason": "x", "confirm": "1"}
    )
    assert response.status_code == 400
    assert 'data-field="before"' in response.content.decode()


def test_s06_retention_page_is_for_managers_only(world, web_as):
    assert web_as(world.supervisor).get(reverse("exports:retention")).status_code == 403


def test_s06_management_command_dry_run_by_default(world, visits, capsys, time_machine):
    time_machine.move_to(at(TODAY), tick=False)  # the command counts retention from the day it runs
    call_command(
        "retention_purge",
        "--project",
        "binjiang",
        "--kind",
        "return_visits",
        "--before",
        f"{TODAY - timedelta(days=730)}",
        "--user",
        "manager",
    )
    assert "dry run: 2" in capsys.readouterr().out
    assert ReturnVisit.objects.count() == 3


# --- S07 ------------------------------------------------------------------------------------------------------


def test_s07_yearly_review_recorded_with_figures_who_and_when(world):
    from guanjia.exports.services import review_write

    year = TODAY.year
    visit(world, date(year, 3, 5), satisfaction=2, unsatisfied=True)
    visit(world, date(year, 3, 9))
    visit(world, date(year, 4, 2), status="planned", done_at=None, satisfaction=None)
    review = review_write(
        project=world.estate, year=year, month=None, text="全年回访按时完成。", actor=world.supervisor
    )
    assert review.written_by == world.supervisor and review.written_at is not None
    figures = review.figures["return_visits"]
    assert figures["total"] == {"due": 3, "done": 2, "on_time": 2, "unsatisfied": 1}
    assert figures["by_month"]["03"]["unsatisfied"] == 1
    # The follow-up plans' and calls' counts join the snapshot (S07 reviews the follow-up work).
    assert set(review.figures["followup"]) == {"followupplan", "followupcall"}
    assert Event.objects.get(verb="review.written").actor == world.supervisor


def test_s07_monthly_summary_revised_keeps_one_summary_and_both_events(world):
    from guanjia.exports.models import YearlyReview
    from guanjia.exports.services import review_write

    review_write(project=world.estate, year=2026, month=5, text="初稿", actor=world.supervisor)
    review_write(project=world.estate, year=2026, month=5, text="修订稿", actor=world.office_manager)
    assert list(YearlyReview.objects.values_list("text", "month")) == [("修订稿", 5)]
    assert [e.verb for e in Event.objects.order_by("id") if e.verb.startswith("review.")] == [
        "review.written",
        "review.revised",
    ]


def test_s07_review_refuses_empty_text_and_bad_month(world):
    from guanjia.exports.services import ExportError, review_write

    with pytest.raises(ExportError) as empty:
        review_write(project=world.estate, year=2026, month=None, text=" ", actor=world.supervisor)
    assert empty.value.field == "text"
    with pytest.raises(ExportError) as month:
        review_write(project=world.estate, year=2026, month=13, text="x", actor=world.supervisor)
    assert month.value.field == "month"


@pytest.mark.parametrize("persona", ["front_desk", "butler", "outsider"])
def test_s07_only_supervisors_and_managers_of_the_project_write_reviews(world, persona):
    from guanjia.exports.services import review_write

    with pytest.raises(PermissionError):
        review_write(project=world.estate, year=2026, month=None, text="x", actor=world.persona(persona))


def test_s07_reviews_page(world, web_as, django_assert_max_num_queries):
    client = web_as(world.supervisor)
    response = client.post(reverse("exports:reviews"), {"year": "2026", "month": "5", "text": "五月回访总结"})
    assert response.status_code == 302
    with django_assert_max_num_queries(15):
        html = client.get(reverse("exports:reviews")).content.decode()
    assert "五月回访总结" in html and "周主管" in html
    assert client.post(reverse("exports:reviews"), {"year": "2026", "month": "", "text": ""}).status_code == 400
    client.logout()
    assert web_as(world.front_desk).get(reverse("exports:reviews")).status_code == 403
