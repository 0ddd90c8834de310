"""The administrator's calendar page (V04): who may use it, what it shows, what an edit does."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from guanjia.timeline.models import Event
from guanjia.workdays.calendar import is_workday, load_calendar
from guanjia.workdays.models import CalendarDay, CalendarYear, Source, YearStatus

URL = reverse("workdays:calendar")
EDIT = reverse("workdays:day_edit")
CONFIRM = reverse("workdays:year_confirm")
WARNING_2027 = (
    "2027年的调休安排尚未录入：当前按自动计算的法定节假日和周末休息计算，"
    "调休上班日尚未录入，请管理员按国务院通知录入并确认"
)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["office_manager", "supervisor", "general_manager"])
def test_v04_managers_see_the_year_grid(world, web_as, persona):
    response = web_as(world.persona(persona)).get(URL, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    # National Day is a holiday, Saturday 10 October a make-up working day, Saturday 17 October a weekend.
    assert 'title="2026-10-01 国庆节" data-kind="holiday"' in html
    assert 'title="2026-10-10 国庆节调休" data-kind="makeup"' in html
    assert 'title="2026-10-17" data-kind="rest"' in html
    assert 'title="2026-10-09" data-kind="workday"' in html
    assert WARNING_2027 not in html


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "outsider"])
def test_v04_other_roles_get_403(world, web_as, persona):
    client = web_as(world.persona(persona))
    assert client.get(URL).status_code == 403
    response = client.post(EDIT, {"year": 2027, "date": "2027-10-01", "action": "holiday", "name": "国庆节"})
    assert response.status_code == 403
    assert client.post(CONFIRM, {"year": 2027}).status_code == 403
    assert not CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not Event.objects.filter(verb__startswith="calendar.").exists()


@pytest.mark.django_db
def test_v04_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_v04_unpublished_year_shows_the_warning(world, web_as):
    response = web_as(world.office_manager).get(URL, {"year": 2027})
    html = response.content.decode()
    assert WARNING_2027 in html
    # the statutory days of the 2024 law are computed; the make-up days wait for the administrator
    assert 'title="2027-10-01 国庆节" data-kind="holiday"' in html
    assert 'title="2027-02-05 春节" data-kind="holiday"' in html  # 除夕
    assert 'title="2027-10-08" data-kind="workday"' in html
    assert "自动计算（法定节假日）" in html
    assert "确认2027年安排" in html


@pytest.mark.django_db
def test_v04_manager_marks_a_holiday_and_it_is_recorded(world, web_as):
    client = web_as(world.office_manager)
    response = client.post(EDIT, {"year": 2027, "date": "2027-10-01", "action": "holiday", "name": "国庆节"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2027"

    row = CalendarDay.objects.get(date=date(2027, 10, 1))
    assert (row.is_workday, row.name, row.source) == (False, "国庆节", Source.ADMIN)
    [event] = Event.objects.filter(verb="calendar.day_set")
    assert event.actor == world.office_manager and event.data["date"] == "2027-10-01"
    assert not is_workday(load_calendar(), date(2027, 10, 1))

    html = client.get(URL, {"year": 2027}).content.decode()
    assert 'title="2027-10-01 国庆节" data-kind="holiday"' in html
    assert WARNING_2027 in html  # entering days is not confirming the year


@pytest.mark.django_db
def test_v04_manager_marks_a_make_up_working_saturday(world, web_as):
    client = web_as(world.supervisor)
    client.post(EDIT, {"year": 2027, "date": "2027-09-25", "action": "workday", "name": "国庆节调休"})
    assert is_workday(load_calendar(), date(2027, 9, 25))  # a Saturday
    html = client.get(URL, {"year": 2027}).content.decode()
    assert 'title="2027-09-25 国庆节调休" data-kind="makeup"' in html


@pytest.mark.django_db
def test_v04_manager_resets_a_day_to_the_default(world, web_as):
    client = web_as(world.office_manager)
    client.post(EDIT, {"year": 2027, "date": "2027-10-01", "action": "holiday", "name": "国庆节"})
    response = client.post(EDIT, {"year": 2027, "date": "2027-10-01", "action": "reset"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()
    html = client.get(response["Location"]).content.decode()
    assert "2027-10-01已恢复为法定节假日（自动计算）：国庆节" in html
    assert Event.objects.filter(verb="calendar.day_reset", actor=world.office_manager).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2027-02-30", "action": "holiday"}, "日期格式不正确"),
        ({"date": "明天", "action": "holiday"}, "日期格式不正确"),
        ({"date": "", "action": "holiday"}, "请填写日期"),
        ({"date": "2027-10-01", "action": "fly"}, "请选择休息、上班或恢复默认"),
        ({"date": "2027-10-01", "action": "holiday", "name": "长" * 51}, "名称不能超过50个字"),
        ({"date": "2026-10-02", "action": "reset"}, "没有管理员设置，无需恢复"),
    ],
)
def test_v04_bad_input_shows_an_inline_error_and_changes_nothing(world, web_as, data, message):
    days_before = CalendarDay.objects.count()
    response = web_as(world.office_manager).post(EDIT, {"year": 2027, **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'class="error" role="alert"' in html
    assert CalendarDay.objects.count() == days_before
    assert not Event.objects.filter(verb__startswith="calendar.").exists()


@pytest.mark.django_db
def test_v04_bad_year_in_the_address_shows_an_error_not_a_500(world, web_as):
    client = web_as(world.office_manager)
    for bad in ("abc", "0", "10000", "-5"):
        response = client.get(URL, {"year": bad})
        assert response.status_code == 200
        assert "年份" in response.content.decode()
    assert client.post(CONFIRM, {"year": "abc"}).status_code == 400
    assert not CalendarYear.objects.exclude(year__in=range(2004, 2027)).exists()


@pytest.mark.django_db
def test_v04_year_confirmed_by_the_manager(world, web_as):
    client = web_as(world.general_manager)
    response = client.post(CONFIRM, {"year": 2027})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).status == YearStatus.ADMIN
    [event] = Event.objects.filter(verb="calendar.year_confirmed")
    assert event.actor == world.general_manager and event.project is None
    html = client.get(URL, {"year": 2027}).content.decode()
    assert WARNING_2027 not in html
    assert "2027年的安排已由管理员确认" in html


@pytest.mark.django_db
def test_v04_clicking_a_day_prefills_the_form(world, web_as):
    html = web_as(world.office_manager).get(URL, {"year": 2026, "date": "2026-10-10"}).content.decode()
    assert 'value="2026-10-10"' in html and 'value="国庆节调休"' in html
    computed = web_as(world.office_manager).get(URL, {"year": 2027, "date": "2027-02-05"}).content.decode()
    assert 'value="2027-02-05"' in computed and 'value="春节"' in computed


@pytest.mark.django_db
def test_v04_calendar_page_query_count(world, web_as, django_assert_max_num_queries):
    client = web_as(world.office_manager)
    client.post(EDIT, {"year": 2026, "date": "2026-10-12", "action": "holiday", "name": "台风停工"})
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"year": 2026})
    assert response.status_code == 200


@pytest.mark.django_db
def test_v04_django_admin_edits_go_through_the_timeline(client):
    from guanjia.accounts.models import User

    admin_user = User.objects.create_superuser(username="root", password="x-very-secret-1")
    client.force_login(admin_user)
    assert client.get(reverse("admin:workdays_calendarday_changelist")).status_code == 200
    assert client.get(reverse("admin:workdays_calendaryear_changelist")).status_code == 200
    response = client.post(
        reverse("admin:workdays_calendarday_add"), {"date": "2027-10-01", "is_workday": "", "name": "国庆节"}
    )
    assert response.status_code == 302
    row = CalendarDay.objects.get(date=date(2027, 10, 1))
    assert (row.is_workday, row.source) == (False, Source.ADMIN)
    assert Event.objects.filter(verb="calendar.day_set", actor=admin_user).count() == 1
    assert not is_workday(load_calendar(), date(2027, 10, 1))


NOTICE = reverse("workdays:notice_import")
NOTICE_2027 = (
    "国务院办公厅关于2027年部分节假日安排的通知\n"
    "二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。"
    "2月13日（周六）、2月20日（周六）上班。\n"
)


@pytest.mark.django_db
def test_v04_pasting_the_notice_previews_then_enters_the_make_up_days(world, web_as):
    client = web_as(world.office_manager)
    # Preview: the days read from the notice, nothing saved yet
    response = client.post(NOTICE, {"year": 2027, "text": NOTICE_2027, "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "预览：从通知中识别出的日期" in html and "春节调休" in html
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not Event.objects.filter(verb__startswith="calendar.").exists()

    # Save: every day becomes an administrator row, the year is confirmed, one timeline event
    response = client.post(NOTICE, {"year": 2027, "text": NOTICE_2027, "save": "1"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2027"
    cal = load_calendar()
    assert is_workday(cal, date(2027, 2, 13)) and is_workday(cal, date(2027, 2, 20))  # make-up Saturdays
    assert not is_workday(cal, date(2027, 2, 10)) and not is_workday(cal, date(2027, 2, 11))  # moved rest days
    assert not is_workday(cal, date(2027, 10, 1))  # not in the pasted lines: still the computed statutory day
    assert CalendarYear.objects.get(year=2027).status == YearStatus.ADMIN
    row = CalendarDay.objects.get(date=date(2027, 2, 13))
    assert (row.name, row.source) == ("春节调休", Source.ADMIN)
    [event] = Event.objects.filter(verb="calendar.notice_imported")
    assert event.actor == world.office_manager and event.project is None
    assert event.data["year"] == 2027 and event.data["holidays"] == 7 and event.data["workdays"] == 2
    assert event.data["before"] is None and event.data["after"] == "admin"
    html = client.get(URL, {"year": 2027}).content.decode()
    assert WARNING_2027 not in html
    assert "按国务院通知录入2027年安排（9天）" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": 2027, "text": ""}, "请粘贴国务院通知的内容"),
        ({"year": "abc", "text": NOTICE_2027}, "年份必须是数字"),
        ({"year": 2028, "text": NOTICE_2027}, "通知是2027年的，与所填年份2028不一致"),
        ({"year": 2027, "text": "春节：2月30日至3月2日放假。"}, "第1行：日期“2月30日”不存在"),
    ],
)
def test_v04_a_notice_that_cannot_be_read_shows_an_inline_error(world, web_as, data, message):
    for button in ("preview", "save"):
        response = web_as(world.office_manager).post(NOTICE, {**data, button: "1"})
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html and 'class="error" role="alert"' in html
    assert not CalendarDay.objects.filter(date__year__gte=2027).exists()
    assert not Event.objects.filter(verb__startswith="calendar.").exists()


@pytest.mark.django_db
def test_v04_only_managers_may_paste_the_notice(world, web_as):
    response = web_as(world.front_desk).post(NOTICE, {"year": 2027, "text": NOTICE_2027, "save": "1"})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date__year=2027).exists()
