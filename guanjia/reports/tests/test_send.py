"""S01, S02: the supervisor's analysis and sending the report on: who sent it when, to whom, frozen figures."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from guanjia.core.errors import ConflictError
from guanjia.notifications.models import Notification
from guanjia.reports.models import MonthlyReport, report_due_date
from guanjia.reports.selectors import monthly_figures, report_scope
from guanjia.reports.services import monthly_report_save, monthly_report_send
from guanjia.timeline.models import Event

from .conftest import MONTH, local


def test_s01_send_records_who_and_when_and_tells_supervisor_and_office_manager(generate, world):
    generate(7)
    scope = report_scope(world.supervisor, world.estate.pk)
    at = local(2026, 5, 30, 17)
    report = monthly_report_send(scope=scope, month=MONTH, actor=world.supervisor, analysis="本月保安投诉偏多", now=at)
    report.refresh_from_db()
    assert report.sent_at == at and report.sent_by == world.supervisor
    assert report.analysis == "本月保安投诉偏多"
    assert [r["id"] for r in report.recipients] == [world.office_manager.pk]
    assert not report.is_late
    told = Notification.objects.filter(kind="report.monthly")
    assert [n.recipient for n in told] == [world.office_manager]
    assert "/reports/monthly/" in told[0].url
    event = Event.objects.get(verb="report.sent", subject_id=report.pk)
    assert event.actor == world.supervisor and event.at == at


def test_s01_office_manager_sending_tells_the_cs_supervisor(world):
    scope = report_scope(world.office_manager, world.estate.pk)
    monthly_report_send(scope=scope, month=MONTH, actor=world.office_manager, now=local(2026, 6, 2, 9))
    assert [n.recipient for n in Notification.objects.filter(kind="report.monthly")] == [world.supervisor]
    assert MonthlyReport.objects.get().is_late  # after the 30th


def test_s01_send_freezes_the_figures_as_sent(generate, world):
    gen, _data = generate(7)
    scope = report_scope(world.supervisor, world.estate.pk)
    monthly_report_send(scope=scope, month=MONTH, actor=world.supervisor, now=local(2026, 5, 30, 17))
    frozen = MonthlyReport.objects.get().figures
    assert frozen["complaints"] == monthly_figures(projects=[world.estate.pk], month=MONTH)["complaints"]
    assert set(frozen["lists"]) == {"repeat_complaints", "repeat_repairs", "unsatisfied_visits"}
    # When a complaint of May is typed in later, the live figures change and the sent report does not.
    gen.complaint(project=world.estate, received_at=local(2026, 5, 15, 10))
    live = monthly_figures(projects=[world.estate.pk], month=MONTH)["complaints"]["total"]
    assert MonthlyReport.objects.get().figures["complaints"]["total"] == live - 1


def test_s01_a_report_is_sent_once(world):
    scope = report_scope(world.supervisor, world.estate.pk)
    monthly_report_send(scope=scope, month=MONTH, actor=world.supervisor, now=local(2026, 5, 30))
    with pytest.raises(ConflictError):
        monthly_report_send(scope=scope, month=MONTH, actor=world.supervisor, now=local(2026, 5, 30, 1))
    with pytest.raises(ConflictError):
        monthly_report_save(scope=scope, month=MONTH, analysis="改", actor=world.supervisor)


def test_s02_supervisor_saves_the_analysis_before_sending(world):
    scope = report_scope(world.supervisor, world.estate.pk)
    monthly_report_save(scope=scope, month=MONTH, analysis="初稿", actor=world.supervisor, now=local(2026, 5, 29))
    monthly_report_save(scope=scope, month=MONTH, analysis="  定稿  ", actor=world.supervisor, now=local(2026, 5, 29))
    report = MonthlyReport.objects.get()
    assert report.analysis == "定稿" and report.sent_at is None
    monthly_report_send(scope=scope, month=MONTH, actor=world.supervisor, now=local(2026, 5, 30))
    assert MonthlyReport.objects.get().analysis == "定稿"


def test_s01_roles_that_may_not_send_are_refused(world):
    for person in (world.general_manager, world.front_desk):
        scope = report_scope(world.general_manager, world.estate.pk)
        with pytest.raises(PermissionError):
            monthly_report_send(scope=scope, month=MONTH, actor=person, now=local(2026, 5, 30))
    assert not MonthlyReport.objects.exists()


def test_s01_outsider_cannot_send_another_projects_report(world):
    scope = report_scope(world.supervisor, world.estate.pk)
    with pytest.raises(PermissionError):
        monthly_report_send(scope=scope, month=MONTH, actor=world.outsider, now=local(2026, 5, 30))
    with pytest.raises(PermissionError):
        monthly_report_save(scope=scope, month=MONTH, analysis="x", actor=world.outsider)
    assert not MonthlyReport.objects.exists()


def test_s01_future_month_and_overlong_analysis_are_refused_naming_the_field(world):
    scope = report_scope(world.supervisor, world.estate.pk)
    with pytest.raises(ValidationError) as exc:
        monthly_report_send(scope=scope, month=date(2026, 7, 1), actor=world.supervisor, now=local(2026, 6, 5))
    assert "month" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        monthly_report_save(scope=scope, month=MONTH, analysis="字" * 10001, actor=world.supervisor)
    assert "analysis" in exc.value.message_dict


def test_s01_due_by_the_30th():
    assert report_due_date(date(2026, 5, 1)) == date(2026, 5, 30)
    assert report_due_date(date(2026, 2, 1)) == date(2026, 2, 28)
    assert report_due_date(date(2028, 2, 1)) == date(2028, 2, 29)
