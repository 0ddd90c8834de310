"""F12 Notices to residents (温馨提示, 通知, 通告): drafted, approved, posted (where and when), taken down on
schedule, archived."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from guanjia.core.errors import NotPossible
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import Notice
from guanjia.dutylog.tests.conftest import verbs

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return services.notice_draft(
        project=world.estate, kind="notice", title="停水通知", body="11月25日9:00-17:00停水", actor=world.front_desk
    )


def test_f12_notice_flows_draft_approve_post_take_down_archive(world, draft):
    notice = services.notice_transition(notice=draft, to="approved", actor=world.supervisor)
    due = timezone.now() + timedelta(days=3)
    notice = services.notice_transition(
        notice=notice, to="posted", locations="各栋大堂公告栏", take_down_due=due, actor=world.front_desk
    )
    assert notice.locations == "各栋大堂公告栏" and notice.take_down_due == due and notice.posted_at
    notice = services.notice_transition(notice=notice, to="taken_down", actor=world.front_desk)
    assert notice.taken_down_by == world.front_desk
    notice = services.notice_transition(notice=notice, to="archived", actor=world.front_desk)
    assert notice.archived_at
    assert verbs(notice) == [
        "notice.drafted",
        "notice.approved",
        "notice.posted",
        "notice.taken_down",
        "notice.archived",
    ]


def test_f12_the_flow_is_one_way(world, draft):
    with pytest.raises(NotPossible):
        services.notice_transition(
            notice=draft,
            to="posted",
            locations="x",
            take_down_due=timezone.now() + timedelta(days=1),
            actor=world.supervisor,
        )
    services.notice_transition(notice=draft, to="approved", actor=world.supervisor)
    with pytest.raises(NotPossible):
        services.notice_transition(notice=draft, to="approved", actor=world.supervisor)


def test_f12_only_managers_approve(world, draft):
    with pytest.raises(PermissionDenied):
        services.notice_transition(notice=draft, to="approved", actor=world.front_desk)


def test_f12_posting_needs_where_and_until_when(world, draft):
    services.notice_transition(notice=draft, to="approved", actor=world.supervisor)
    with pytest.raises(ValidationError) as exc:
        services.notice_transition(notice=draft, to="posted", take_down_due=None, locations="", actor=world.front_desk)
    assert "locations" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.notice_transition(notice=draft, to="posted", locations="大堂", actor=world.front_desk)
    assert "take_down_due" in exc.value.message_dict


def test_f12_due_to_take_down_list(world, draft):
    # Noon tomorrow, Beijing time: the list of a day holds what comes down by that day's end, whatever the
    # hour the test runs (a "now + 5 minutes" would cross midnight when run just before it).
    tomorrow_noon = (timezone.localtime() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    services.notice_transition(notice=draft, to="approved", actor=world.supervisor)
    services.notice_transition(
        notice=draft,
        to="posted",
        locations="大堂",
        take_down_due=tomorrow_noon,
        actor=world.front_desk,
    )
    later = services.notice_draft(project=world.estate, kind="reminder", title="防火", body="…", actor=world.front_desk)
    services.notice_transition(notice=later, to="approved", actor=world.supervisor)
    services.notice_transition(
        notice=later,
        to="posted",
        locations="大堂",
        take_down_due=tomorrow_noon + timedelta(days=7),
        actor=world.front_desk,
    )
    morning = tomorrow_noon.replace(hour=9)
    assert list(selectors.notices_due_down(world.estate, timezone.now())) == []
    assert list(selectors.notices_due_down(world.estate, morning)) == [draft]
    assert list(selectors.notices_due_down(world.estate, morning + timedelta(days=8))) == [draft, later]


def test_f12_page_drafts_and_posts_with_field_errors(world, web_as):
    client = web_as(world.front_desk)
    client.post(reverse("office:notice_add"), {"kind": "announcement", "title": "电梯维保", "body": "周三停梯"})
    notice = Notice.objects.get()
    services.notice_transition(notice=notice, to="approved", actor=world.supervisor)
    response = client.post(
        reverse("office:notice_move", args=[notice.pk]), {"to": "posted", "locations": "大堂"}, follow=True
    )
    assert "计划撤下时间：" in response.content.decode()


def test_f12_outsider_cannot_move_our_notices(world, draft, web_as):
    client = web_as(world.outsider)
    assert client.post(reverse("office:notice_move", args=[draft.pk]), {"to": "approved"}).status_code == 404
    assert "停水通知" not in client.get(reverse("office:notices")).content.decode()
    with pytest.raises(PermissionDenied):
        services.notice_draft(project=world.estate, kind="notice", title="t", body="b", actor=world.outsider)


def test_f12_notices_page_query_count(world, web_as, django_assert_max_num_queries):
    for i in range(10):
        n = services.notice_draft(
            project=world.estate, kind="notice", title=f"通知{i}", body="b", actor=world.front_desk
        )
        services.notice_transition(notice=n, to="approved", actor=world.supervisor)
    client = web_as(world.front_desk)
    client.get(reverse("office:notices"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("office:notices")).status_code == 200
