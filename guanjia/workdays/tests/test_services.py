"""The stored calendar (V04): seeding from the package, administrator edits that sync keeps, the cache."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command

from guanjia.timeline.models import Event
from guanjia.workdays import calendar as calendar_module
from guanjia.workdays.calendar import calendar_warnings, is_workday, load_calendar
from guanjia.workdays.deadlines import due_day, end_of_workdays
from guanjia.workdays.models import CalendarDay, CalendarYear, Source, YearStatus
from guanjia.workdays.package import package_days, package_years
from guanjia.workdays.services import (
    calendar_day_reset,
    calendar_day_set,
    calendar_notice_import,
    calendar_sync_package,
    calendar_year_confirm,
)

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_v04_migration_seeds_the_published_calendar_2004_to_2026():
    assert CalendarDay.objects.count() == len(package_days())
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(range(2004, 2027)) == package_years()
    assert not CalendarYear.objects.exclude(status=YearStatus.PUBLISHED).exists()
    national_day = CalendarDay.objects.get(date=date(2026, 10, 1))
    assert (national_day.is_workday, national_day.name, national_day.source) == (False, "国庆节", Source.PACKAGE)
    makeup = CalendarDay.objects.get(date=date(2026, 10, 10))
    assert (makeup.is_workday, makeup.name, makeup.is_makeup_workday) == (True, "国庆节调休", True)


@pytest.mark.django_db
def test_v04_sync_is_idempotent_and_silent_when_nothing_changed():
    result = calendar_sync_package(actor=None)
    assert not result.changed
    call_command("sync_calendar", stdout=None)
    assert CalendarDay.objects.count() == len(package_days())
    assert not Event.objects.filter(verb="calendar.synced").exists()


@pytest.mark.django_db
def test_v04_sync_repairs_package_rows_and_records_it():
    CalendarDay.objects.filter(date=date(2026, 10, 1)).delete()
    CalendarDay.objects.filter(date=date(2026, 10, 10)).update(is_workday=False, name="错误")
    CalendarDay.objects.create(date=date(2026, 3, 3), is_workday=False, name="不存在的节日", source=Source.PACKAGE)

    result = calendar_sync_package(actor=None)

    assert (result.created, result.updated, result.deleted) == (1, 1, 1)
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).is_workday
    assert not CalendarDay.objects.filter(date=date(2026, 3, 3)).exists()
    [event] = Event.objects.filter(verb="calendar.synced")
    assert event.project is None and event.data["year"] == 2026 and event.data["days_changed"] == 3


@pytest.mark.django_db
def test_v04_admin_override_wins_over_the_package_after_sync_calendar(world):
    # Given the administrator makes the make-up Saturday 2026-10-10 a day off (the estate decided so)
    calendar_day_set(day=date(2026, 10, 10), is_workday=False, name="公司安排休息", actor=world.office_manager)
    # and confirms 2026 themselves
    calendar_year_confirm(year=2026, actor=world.office_manager)
    # When the package is synced again
    call_command("sync_calendar", stdout=None)
    # Then the administrator's word stands
    row = CalendarDay.objects.get(date=date(2026, 10, 10))
    assert (row.is_workday, row.name, row.source) == (False, "公司安排休息", Source.ADMIN)
    assert CalendarYear.objects.get(year=2026).status == YearStatus.ADMIN
    cal = load_calendar()
    assert not is_workday(cal, date(2026, 10, 10))
    assert due_day(end_of_workdays(datetime(2026, 9, 30, 15, tzinfo=SH), 3, cal)) == date(2026, 10, 12)


@pytest.mark.django_db
def test_v04_day_set_records_the_change_on_the_timeline(world):
    row = calendar_day_set(day=date(2027, 10, 1), is_workday=False, name="国庆节", actor=world.office_manager)
    [event] = Event.objects.filter(verb="calendar.day_set")
    assert event.subject_id == row.pk and event.actor == world.office_manager and event.project is None
    assert event.data == {
        "date": "2027-10-01",
        "before": None,
        "after": {"is_workday": False, "name": "国庆节", "source": "admin"},
    }


@pytest.mark.django_db
def test_v04_day_set_refuses_a_name_that_is_too_long(world):
    with pytest.raises(ValidationError) as err:
        calendar_day_set(day=date(2027, 10, 1), is_workday=False, name="长" * 51, actor=world.office_manager)
    assert "name" in err.value.message_dict
    assert not CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()


@pytest.mark.django_db
def test_v04_reset_restores_the_published_day_or_the_weekend_rule(world):
    calendar_day_set(day=date(2026, 10, 1), is_workday=True, name="值班", actor=world.office_manager)
    calendar_day_set(day=date(2027, 10, 1), is_workday=False, name="国庆节", actor=world.office_manager)

    restored = calendar_day_reset(day=date(2026, 10, 1), actor=world.office_manager)
    gone = calendar_day_reset(day=date(2027, 10, 1), actor=world.office_manager)

    assert restored is not None and (restored.is_workday, restored.name, restored.source) == (
        False,
        "国庆节",
        "package",
    )
    assert gone is None and not CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()
    assert Event.objects.filter(verb="calendar.day_reset").count() == 2
    assert not is_workday(load_calendar(), date(2027, 10, 1))  # back to the computed statutory day (国庆节)
    with pytest.raises(ValidationError):
        calendar_day_reset(day=date(2026, 10, 2), actor=world.office_manager)  # a published day: nothing to undo


@pytest.mark.django_db
def test_v04_confirming_a_year_removes_its_warning(world):
    assert [w.year for w in calendar_warnings([2026, 2027])] == [2027]
    row = calendar_year_confirm(year=2027, actor=world.general_manager)
    assert row.status == YearStatus.ADMIN
    assert calendar_warnings([2026, 2027]) == []
    [event] = Event.objects.filter(verb="calendar.year_confirmed")
    assert event.data == {"year": 2027, "before": None, "after": "admin"}
    with pytest.raises(ValidationError):
        calendar_year_confirm(year=2027, actor=world.general_manager)


@pytest.mark.django_db
def test_v04_next_year_is_warned_about_from_1_november():
    # 2026 is published, 2027 is not: nothing to say in October, a warning from 1 November.
    assert calendar_warnings(today=date(2026, 10, 31)) == []
    [warning] = calendar_warnings(today=date(2026, 11, 1))
    assert warning.year == 2027 and "调休上班日尚未录入" in str(warning)
    assert [w.year for w in calendar_warnings(today=date(2027, 3, 1))] == [2027]
    assert [w.year for w in calendar_warnings(today=date(2027, 12, 31))] == [2027, 2028]
    assert 2027 not in package_years()


@pytest.mark.django_db
def test_v04_calendar_is_cached_and_an_edit_invalidates_it(world, django_assert_num_queries):
    first = load_calendar()
    with django_assert_num_queries(0):
        assert load_calendar() is first
    assert is_workday(first, date(2027, 10, 8))

    calendar_day_set(day=date(2027, 10, 8), is_workday=False, name="国庆节", actor=world.office_manager)

    assert not is_workday(load_calendar(), date(2027, 10, 8))


@pytest.mark.django_db
def test_v04_an_edit_in_another_process_reaches_this_one_through_the_version(django_assert_num_queries):
    cached = load_calendar()
    # Another process changes the table and bumps the shared version (here: by hand).
    CalendarDay.objects.create(date=date(2027, 10, 8), is_workday=False, name="国庆节", source=Source.ADMIN)
    assert load_calendar() is cached  # same version: the process keeps its copy
    cache.set(calendar_module.VERSION_KEY, "another-process", timeout=None)
    with django_assert_num_queries(2):
        fresh = load_calendar()
    assert not is_workday(fresh, date(2027, 10, 8))


@pytest.mark.django_db
def test_v04_edit_bumps_the_version_again_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_day_set(day=date(2027, 10, 1), is_workday=False, name="国庆节", actor=world.office_manager)
    before = cache.get(calendar_module.VERSION_KEY)
    for callback in callbacks:
        callback()
    assert cache.get(calendar_module.VERSION_KEY) != before


@pytest.mark.django_db
def test_v04_notice_import_wins_over_computed_and_published_days_and_survives_a_sync(world):
    notice = (
        "春节：2月5日至11日放假调休，共7天。2月13日（周六）、2月20日（周六）上班。\n"
        "国庆节：10月1日至7日放假调休，共7天。"
    )
    rows = calendar_notice_import(year=2027, text=notice, actor=world.office_manager)
    assert len(rows) == 16 and all(row.source == Source.ADMIN for row in rows)
    call_command("sync_calendar", stdout=None)
    cal = load_calendar()
    assert is_workday(cal, date(2027, 2, 13)) and not is_workday(cal, date(2027, 10, 7))
    assert 2027 in cal.known_years
    # importing the same notice again changes nothing but is still recorded
    calendar_notice_import(year=2027, text=notice, actor=world.office_manager)
    first, second = Event.objects.filter(verb="calendar.notice_imported").order_by("id")
    assert len(first.data["changes"]) == 16 and second.data["changes"] == []
    assert (first.data["before"], second.data["before"]) == (None, "admin")


@pytest.mark.django_db
def test_v04_notice_import_refuses_bad_text_without_changing_anything(world):
    with pytest.raises(ValidationError) as err:
        calendar_notice_import(year=2027, text="春节：2月15日至2月3日放假。", actor=world.office_manager)
    assert "text" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        calendar_notice_import(year="二〇二七", text="春节：2月5日放假。", actor=world.office_manager)
    assert "year" in err.value.message_dict
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not Event.objects.filter(verb__startswith="calendar.").exists()
