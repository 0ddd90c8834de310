"""F08 Duty log: each shift records what happened and the checks of its area; anomalies become work orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from guanjia.core.errors import NotPossible
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import CheckArea, ChecklistItem, DutyLogEntry, Shift
from guanjia.dutylog.tests.conftest import verbs

pytestmark = pytest.mark.django_db


def test_f08_checklist_covers_the_manuals_areas():
    assert [label for _, label in CheckArea.choices] == [
        "门窗", "设施", "照明", "消防器材", "空调", "卫生", "绿植", "电梯", "道闸",
    ]  # fmt: skip


def test_f08_a_check_is_recorded_and_rechecking_overwrites_it_keeping_both_on_the_timeline(world, shift):
    services.checklist_record(shift=shift, area="lifts", result="ok", actor=world.front_desk)
    item = services.checklist_record(
        shift=shift, area="lifts", result="anomaly", note="2号梯异响", actor=world.front_desk
    )
    assert ChecklistItem.objects.filter(shift=shift).count() == 1
    assert item.result == "anomaly" and item.note == "2号梯异响"
    assert verbs(shift).count("shift.checked") == 2


def test_f08_an_anomaly_needs_a_note_naming_what_is_wrong(world, shift):
    with pytest.raises(ValidationError) as exc:
        services.checklist_record(shift=shift, area="lights", result="anomaly", actor=world.front_desk)
    assert "note" in exc.value.message_dict


def test_f08_anomaly_becomes_a_repair_order_in_one_step(world, shift):
    from guanjia.repairs.models import Repair

    item = services.checklist_record(
        shift=shift, area="lights", result="anomaly", note="大堂筒灯不亮", actor=world.front_desk
    )
    item = services.checklist_request_repair(item=item, actor=world.front_desk)
    repair = Repair.objects.get(number=item.repair_ref)
    assert repair.source == "duty_log" and repair.project == world.estate and repair.unit is None
    assert "大堂筒灯不亮" in repair.description and "照明" in repair.location
    assert "shift.anomaly_to_repair" in verbs(shift)
    assert not selectors.anomalies_needing_repair(world.estate).filter(pk=item.pk).exists()
    with pytest.raises(NotPossible):
        services.checklist_request_repair(item=item, actor=world.front_desk)


def test_f08_r12_a_role_that_may_not_log_repairs_leaves_the_anomaly_as_needs_repair(world, shift):
    from guanjia.testing.factories import make_staff

    # An outsourced contractor on duty at the gate may record the check but not log a work order.
    contractor = make_staff("contractor", projects=(world.estate,), username="gate", name="外包小赵")
    item = services.checklist_record(
        shift=shift, area="barriers", result="anomaly", note="道闸不抬杆", actor=contractor
    )
    item = services.checklist_request_repair(item=item, actor=contractor)
    assert item.needs_repair and item in selectors.anomalies_needing_repair(world.estate)
    services.checklist_link_repair(item=item, repair_ref="BX-1", actor=world.front_desk)
    assert not selectors.anomalies_needing_repair(world.estate).filter(pk=item.pk).exists()


def test_f08_an_ok_check_cannot_be_sent_to_repair(world, shift):
    item = services.checklist_record(shift=shift, area="doors", result="ok", actor=world.front_desk)
    with pytest.raises(NotPossible):
        services.checklist_request_repair(item=item, actor=world.front_desk)


def test_f08_log_entry_is_recorded_with_time_and_author(world, shift):
    entry = services.log_entry_add(shift=shift, text="3栋大堂门禁卡机故障，已通知工程", actor=world.front_desk)
    assert entry.author == world.front_desk and entry.at <= timezone.now()
    assert verbs(entry) == ["dutylog.entry_added"]


def test_f08_log_entry_needs_text(world, shift):
    with pytest.raises(ValidationError) as exc:
        services.log_entry_add(shift=shift, text="  ", actor=world.front_desk)
    assert "text" in exc.value.message_dict


def test_f08_shift_end_must_follow_its_start(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.shift_open(
            project=world.estate,
            kind="day",
            starts_at=now,
            ends_at=now - timedelta(hours=1),
            on_duty=[],
            actor=world.front_desk,
        )
    assert "ends_at" in exc.value.message_dict


def test_f08_a_named_shift_needs_its_name(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.shift_open(
            project=world.estate,
            kind="other",
            starts_at=now,
            ends_at=now + timedelta(hours=4),
            on_duty=[],
            actor=world.front_desk,
        )
    assert "name" in exc.value.message_dict


def test_f08_outsider_cannot_open_a_shift_or_record_in_ours(world, shift):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.shift_open(
            project=world.estate,
            kind="day",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            on_duty=[],
            actor=world.outsider,
        )
    with pytest.raises(PermissionDenied):
        services.log_entry_add(shift=shift, text="x", actor=world.outsider)
    with pytest.raises(PermissionDenied):
        services.checklist_record(shift=shift, area="doors", result="ok", actor=world.outsider)


def test_f08_staff_of_another_project_cannot_be_put_on_duty(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.shift_open(
            project=world.estate, kind="day", starts_at=now, ends_at=now + timedelta(hours=1),
            on_duty=[world.outsider], actor=world.front_desk,
        )  # fmt: skip
    assert "on_duty" in exc.value.message_dict


# --- pages -------------------------------------------------------------------------------------------------
def test_f08_desk_page_opens_a_shift_in_one_tap_with_the_usual_times(world, web_as):
    client = web_as(world.front_desk)
    response = client.post(reverse("duty:shift_open"), {"kind": "day"}, follow=True)
    assert response.status_code == 200
    shift = Shift.objects.get(project=world.estate)
    assert timezone.localtime(shift.starts_at).hour == 8 and shift.ends_at - shift.starts_at == timedelta(hours=12)
    assert list(shift.on_duty.all()) == [world.front_desk]


def test_f08_desk_page_records_a_check_and_a_log_entry(world, shift, web_as):
    client = web_as(world.front_desk)
    client.post(reverse("duty:check", args=[shift.pk]), {"area": "barriers", "result": "anomaly", "note": "道闸抬杆慢"})
    client.post(reverse("duty:entry_add", args=[shift.pk]), {"text": "快递柜满", "is_open": "1"})
    page = client.get(reverse("duty:today")).content.decode()
    assert "道闸抬杆慢" in page and "快递柜满" in page and "转报修" in page
    assert DutyLogEntry.objects.get(text="快递柜满").is_open


def test_f08_htmx_check_returns_the_row(world, shift, web_as):
    client = web_as(world.front_desk)
    response = client.post(
        reverse("duty:check", args=[shift.pk]), {"area": "plants", "result": "ok"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="check-plants"' in response.content.decode()


def test_f08_bad_check_answers_with_the_field_named(world, shift, web_as):
    client = web_as(world.front_desk)
    response = client.post(reverse("duty:check", args=[shift.pk]), {"area": "lights", "result": "anomaly"}, follow=True)
    assert "说明：异常请写明情况。" in response.content.decode()


def test_f08_outsider_gets_404_on_our_shift(world, shift, web_as):
    client = web_as(world.outsider)
    assert client.post(reverse("duty:check", args=[shift.pk]), {"area": "doors", "result": "ok"}).status_code == 404
    assert client.post(reverse("duty:entry_add", args=[shift.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("duty:handover", args=[shift.pk])).status_code == 404
    assert not ChecklistItem.objects.exists()


def test_f08_outsiders_desk_page_shows_nothing_of_ours(world, shift, web_as):
    services.log_entry_add(shift=shift, text="滨江花园内部事项", is_open=True, actor=world.front_desk)
    page = web_as(world.outsider).get(reverse("duty:today")).content.decode()
    assert "滨江花园内部事项" not in page


def test_f08_desk_page_query_count_does_not_grow_with_the_log(world, shift, web_as, django_assert_max_num_queries):
    client = web_as(world.front_desk)
    for area in ("doors", "lights", "lifts"):
        services.checklist_record(shift=shift, area=area, result="anomaly", note="坏", actor=world.front_desk)
    for i in range(15):
        services.log_entry_add(shift=shift, text=f"记录{i}", is_open=i % 2 == 0, actor=world.front_desk)
    client.get(reverse("duty:today"))
    with django_assert_max_num_queries(22):
        assert client.get(reverse("duty:today")).status_code == 200
