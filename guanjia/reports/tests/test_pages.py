"""Report pages: the monthly report (S01, S02, S05) and the daily summary (S04)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanjia.cases.models import DeadlineState
from guanjia.complaints.models import Channel
from guanjia.reports.models import MonthlyReport
from guanjia.reports.selectors import daily_summary

MONTHLY = reverse("reports:monthly")


def test_s01_s05_monthly_page_shows_tiles_charts_and_lists(generate, world, web_as):
    generate(7)
    page = web_as(world.supervisor).get(MONTHLY, {"project": world.estate.pk, "month": "2026-05"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-rate="household_coverage"' in html and "目标 98%" in html
    assert "vendor/chart.umd.min.js" in html and "cdn" not in html.lower()
    assert 'id="chart-trend"' in html and 'id="report-data"' in html
    chart_data = page.context["chart_data"]
    assert len(chart_data["trend"]) == 12
    assert (
        sum(row["count"] for row in chart_data["breakdowns"]["grade"]) == page.context["figures"]["complaints"]["total"]
    )
    # S02: each list links to its cases
    for group in page.context["lists"]["repeat_repairs"]:
        for repair in group["repairs"]:
            assert f'href="{reverse("repairs:detail", args=[repair["id"]])}"' in html
    for group in page.context["lists"]["repeat_complaints"]:
        assert f'href="{reverse("complaints:detail", args=[group["complaints"][0]["id"]])}"' in html
    # The supervisor may write and send
    assert 'name="analysis"' in html and 'value="send"' in html


def test_s01_monthly_page_print_stylesheet_is_a4(world, web_as):
    page = web_as(world.supervisor).get(MONTHLY)
    assert "css/reports.css" in page.content.decode()
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/reports.css")).read_text(encoding="utf-8")
    assert "size: A4" in css and "@media print" in css
    js = Path(finders.find("js/reports.js")).read_text(encoding="utf-8")
    assert "animation = false" in js and "beforeprint" in js


def test_s01_send_from_the_page_records_and_freezes(generate, world, web_as):
    generate(7)
    client = web_as(world.supervisor)
    form = {"project": world.estate.pk, "month": "2026-05", "analysis": "保安投诉需整改"}
    response = client.post(reverse("reports:monthly_submit"), {**form, "action": "save"})
    assert response.status_code == 302
    assert MonthlyReport.objects.get().sent_at is None
    response = client.post(reverse("reports:monthly_submit"), {**form, "action": "send"})
    report = MonthlyReport.objects.get()
    assert report.sent_by == world.supervisor and report.sent_at is not None and report.figures
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "已于" in html and world.supervisor.name in html and "保安投诉需整改" in html
    assert 'value="send"' not in html
    # Sending again is refused with a message, the record unchanged
    again = client.post(reverse("reports:monthly_submit"), {**form, "action": "send"}, follow=True)
    assert "不能再修改" in again.content.decode()
    assert MonthlyReport.objects.get().sent_at == report.sent_at


def test_s01_outsider_cannot_see_or_send_another_projects_report(world, web_as):
    client = web_as(world.outsider)
    assert client.get(MONTHLY, {"project": world.estate.pk}).status_code == 404
    form = {"project": world.estate.pk, "month": "2026-05", "analysis": "x", "action": "send"}
    assert client.post(reverse("reports:monthly_submit"), form).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_s01_company_view_for_company_staff_only(generate, world, web_as):
    generate(7)
    assert web_as(world.supervisor).get(MONTHLY, {"project": "company"}).status_code == 403
    page = web_as(world.general_manager).get(MONTHLY, {"project": "company", "month": "2026-05"})
    assert page.status_code == 200 and page.context["scope"].is_company
    # The general manager reads the report but the sending is the supervisor's
    assert 'value="send"' not in page.content.decode()


def test_s01_front_desk_does_not_read_reports(world, web_as):
    assert web_as(world.front_desk).get(MONTHLY, {"project": world.estate.pk}).status_code == 403
    assert web_as(world.front_desk).get(reverse("reports:daily")).status_code == 403


def test_s01_bad_month_on_the_page_is_a_message_not_an_error(world, web_as):
    page = web_as(world.supervisor).get(MONTHLY, {"month": "2026-99"})
    assert page.status_code == 200
    assert "YYYY-MM" in page.content.decode()


def page_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_s01_monthly_page_query_count_is_constant(generate, world, web_as):
    gen, _data = generate(7, complaints=10, repairs=10)
    gen.unsatisfied_pair()
    client = web_as(world.general_manager)
    params = {"project": "company", "month": "2026-05"}
    page_queries(client, MONTHLY, params)
    few = page_queries(client, MONTHLY, params)
    for _ in range(30):
        gen.complaint()
        gen.repair()
    many = page_queries(client, MONTHLY, params)
    assert many == few and few <= 30


# --- S04 --------------------------------------------------------------------------------------------------


def test_s04_daily_summary_for_the_supervisor(generate, world, web_as):
    gen, _data = generate(3, complaints=0, repairs=0)
    now = timezone.now()
    # Earlier today, Beijing time, whatever the hour the test runs ("5 minutes ago" is yesterday at 00:01).
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    earlier_today = start_of_day + (now - start_of_day) / 2
    new_open = gen.complaint(project=world.estate, received_at=earlier_today, status="registered")
    old_open = gen.complaint(project=world.estate, received_at=now - timedelta(days=3), status="dispatched")
    gen.complaint(project=world.other_estate, received_at=earlier_today, status="registered")
    # Brute force over the same rows
    local_today = timezone.localdate(now)
    mine = [c for c in gen.data.complaints if c.project_id == world.estate.pk]
    open_ = [c for c in mine if c.status in ("registered", "dispatched", "acknowledged")]

    def limits(c):
        return [d for kind in ("response", "resolve") for d in gen.data.limits.get((kind, c.pk), [])]

    overdue = {
        c.pk
        for c in open_
        if any(
            (d.state == DeadlineState.PENDING and d.due_at <= now)
            or (d.state == DeadlineState.MISSED and d.met_at is None)
            for d in limits(c)
        )
    }
    summary = daily_summary(projects=[world.estate.pk], now=now)
    assert summary["new_count"] == sum(timezone.localdate(c.received_at) == local_today for c in mine)
    assert new_open.pk in {c.pk for c in summary["new"]}
    assert summary["open_count"] == len(open_)
    assert summary["open_by_grade"] == {g: sum(c.grade == g for c in open_) for g in summary["open_by_grade"]}
    assert {c.pk for c in summary["overdue"]} == overdue
    assert old_open.pk in {c.pk for c in open_}
    page = web_as(world.supervisor).get(reverse("reports:daily"), {"project": world.estate.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("complaints:detail", args=[new_open.pk]) in html


def test_s04_due_today_lists_open_complaints_with_a_limit_later_today(world, generate):
    gen, _data = generate(3, complaints=0, repairs=0)
    now = timezone.now().replace(microsecond=0)
    complaint = gen.complaint(project=world.estate, received_at=now - timedelta(minutes=1), status="registered")
    from django.contrib.contenttypes.models import ContentType

    from guanjia.cases.models import Deadline

    Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(complaint), subject_id=complaint.pk).delete()
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    if end_of_day > now + timedelta(seconds=1):
        Deadline.objects.create(
            project=world.estate,
            subject_type=ContentType.objects.get_for_model(complaint),
            subject_id=complaint.pk,
            kind="resolve",
            due_at=end_of_day,
        )
        summary = daily_summary(projects=[world.estate.pk], now=now)
        assert [c.pk for c in summary["due_today"]] == [complaint.pk]
        assert complaint.pk not in {c.pk for c in summary["overdue"]}


def test_s04_daily_page_outsider_and_query_count(generate, world, web_as):
    gen, _data = generate(3, complaints=5, repairs=0)
    assert web_as(world.outsider).get(reverse("reports:daily"), {"project": world.estate.pk}).status_code == 404
    client = web_as(world.supervisor)
    params = {"project": world.estate.pk}
    page_queries(client, reverse("reports:daily"), params)
    few = page_queries(client, reverse("reports:daily"), params)
    now = timezone.now()
    for i in range(20):
        gen.complaint(project=world.estate, received_at=now - timedelta(minutes=i), status="registered")
    assert page_queries(client, reverse("reports:daily"), params) == few


def test_s01_chart_data_is_json_for_the_charts(generate, world, web_as):
    generate(7)
    page = web_as(world.supervisor).get(MONTHLY, {"project": world.estate.pk, "month": "2026-05"})
    html = page.content.decode()
    start = html.index('id="report-data"')
    payload = html[html.index(">", start) + 1 : html.index("</script>", start)]
    data = json.loads(payload)
    assert data["trend"][-1]["month"] == "2026-05"
    assert {row["key"] for row in data["breakdowns"]["channel"]} == set(Channel.values)  # every channel, zeros too
