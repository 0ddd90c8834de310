"""The repair pages: the desk's ledger and log form (R01), an order and its print (R02), the technician's
phone (R03–R10), photos and signatures, 维修及时率; scoped to the project (O04)."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanjia.repairs import services
from guanjia.repairs.models import Repair, RepairStatus
from guanjia.testing.images import image_bytes, signature_png


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def accepted(world, log, tap) -> Repair:
    repair = log(price_item=tap)
    services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    return repair


def test_r01_desk_logs_a_request_in_a_few_fields(world, web_as, tap):
    client = web_as(world.front_desk)
    response = client.post(
        reverse("repairs:log"),
        {"customer": world.customer.pk, "unit": world.unit.pk, "description": "卫生间水龙头漏水", "price_item": tap.pk},
    )
    repair = Repair.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("repairs:detail", args=[repair.pk])
    assert repair.customer == world.customer and repair.urgent and repair.contact_phone == "13912345678"
    page = client.get(reverse("repairs:desk"))
    assert repair.number in page.content.decode()


def test_r01_a_bad_request_names_the_field(world, web_as):
    client = web_as(world.front_desk)
    response = client.post(reverse("repairs:log"), {"description": ""}, follow=True)
    text = response.content.decode()
    assert "报修内容：请填写报修内容" in text and Repair.objects.count() == 0


def test_r01_customer_pick_finds_by_initials(world, web_as):
    response = web_as(world.front_desk).get(reverse("repairs:customer_pick"), {"q": "lm"})
    assert "李明" in response.content.decode() and "3栋2单元1201" in response.content.decode()


def test_r01_ledger_query_count_does_not_grow_with_rows(world, web_as, log, tap, django_assert_max_num_queries):
    for _ in range(12):
        log(price_item=tap)
    client = web_as(world.front_desk)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("repairs:desk"))
    assert response.content.decode().count('<tr id="repair-') == 12


def test_r02_print_page_has_three_copies_and_signature_lines(world, web_as, accepted):
    response = web_as(world.front_desk).get(reverse("repairs:print", args=[accepted.pk]))
    text = response.content.decode()
    assert text.count('class="order-copy"') == 3
    for part in (
        "前台联",
        "部门联",
        "客户联",
        accepted.number,
        "李明",
        "3栋2单元1201",
        "更换水龙头",
        "客户签字",
        "@page" and "维修人员",
    ):
        assert part in text
    # 开单人 is the clerk who registered the order, on each of the three copies
    registered = f"开单人：<i>{accepted.registered_by.display_name}</i>"
    assert accepted.registered_by.display_name and text.count(registered) == 3


def test_r02_desk_writes_the_order_and_tells_the_department_from_the_order_page(world, web_as, log, tap):
    repair = log(price_item=tap)
    client = web_as(world.front_desk)
    client.post(reverse("repairs:step", args=[repair.pk, "write_order"]))
    client.post(reverse("repairs:step", args=[repair.pk, "notify"]))
    repair.refresh_from_db()
    assert repair.status == RepairStatus.NOTIFIED
    page = client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert "开派工单" in page and "按时完成" in page


def test_r03_technician_accepts_arrives_and_completes_on_the_phone_view(world, web_as, log, tap):
    repair = log(price_item=tap)
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    client = web_as(world.technician)
    mine = client.get(reverse("repairs:my_orders")).content.decode()
    assert repair.number in mine
    work = reverse("repairs:work", args=[repair.pk])
    assert 'id="btn-accept"' in client.get(work).content.decode()
    client.post(reverse("repairs:step", args=[repair.pk, "accept"]), {"next": work})
    client.post(reverse("repairs:step", args=[repair.pk, "arrive"]), {"next": work})
    client.post(reverse("repairs:step", args=[repair.pk, "agree"]), {"next": work})
    response = client.post(
        reverse("repairs:step", args=[repair.pk, "complete"]),
        {"next": work, "fee_yuan": "30", "payment_method": "cash", "signature": data_url(signature_png())},
    )
    assert response["Location"] == work
    repair.refresh_from_db()
    assert repair.status == RepairStatus.COMPLETED and repair.assignee == world.technician
    assert repair.signatures.get().role == "customer"


def test_r10_completion_without_a_signature_is_refused_with_a_clear_message(world, web_as, accepted):
    services.repair_arrive(repair=accepted, actor=world.technician)
    response = web_as(world.technician).post(
        reverse("repairs:step", args=[accepted.pk, "complete"]),
        {"fee_yuan": "30", "payment_method": "cash"},
        follow=True,
    )
    assert "客户签字：须客户签字确认后才能完成 (R10)" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == RepairStatus.ARRIVED


def test_r10_blank_signature_is_refused(world, web_as, accepted):
    services.repair_arrive(repair=accepted, actor=world.technician)
    response = web_as(world.technician).post(
        reverse("repairs:step", args=[accepted.pk, "sign"]),
        {"signature": data_url(signature_png(blank=True))},
        follow=True,
    )
    assert "签名为空" in response.content.decode()


def test_r10_photo_upload_and_a_bad_file_gets_a_clear_error(world, web_as, accepted):
    services.repair_arrive(repair=accepted, actor=world.technician)
    client = web_as(world.technician)
    url = reverse("repairs:step", args=[accepted.pk, "photo"])
    good = SimpleUploadedFile("a.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    client.post(url, {"kind": "before", "photo": good})
    photo = accepted.photos.get()
    served = client.get(reverse("repairs:photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    fake = SimpleUploadedFile("b.jpg", b"this is not a picture", content_type="image/jpeg")
    text = client.post(url, {"kind": "after", "photo": fake}, follow=True).content.decode()
    assert "照片：无法识别的图片" in text and accepted.photos.count() == 1


def test_photo_and_signature_files_are_not_served_to_an_outsider(world, web_as, accepted):
    services.repair_arrive(repair=accepted, actor=world.technician)
    photo = services.repair_add_photo(repair=accepted, actor=world.technician, kind="before", upload=image_bytes())
    signature = services.repair_customer_sign(repair=accepted, actor=world.technician, signature=signature_png())
    client = web_as(world.outsider)
    assert client.get(reverse("repairs:photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("repairs:signature", args=[signature.pk])).status_code == 404


@pytest.mark.parametrize("name", ["detail", "print", "work"])
def test_o04_outsider_sees_no_order_page(world, web_as, accepted, name):
    assert web_as(world.outsider).get(reverse(f"repairs:{name}", args=[accepted.pk])).status_code == 404


@pytest.mark.parametrize("step", ["write_order", "notify", "accept", "arrive", "complete", "cancel", "photo", "note"])
def test_o04_outsider_can_post_no_step(world, web_as, accepted, step):
    response = web_as(world.outsider).post(reverse("repairs:step", args=[accepted.pk, step]), {"reason": "x"})
    assert response.status_code == 404
    accepted.refresh_from_db()
    assert accepted.status == RepairStatus.ACCEPTED


def test_o04_outsider_ledger_and_my_orders_are_empty(world, web_as, accepted):
    client = web_as(world.outsider)
    assert accepted.number not in client.get(reverse("repairs:desk")).content.decode()
    assert accepted.number not in client.get(reverse("repairs:my_orders")).content.decode()
    response = client.post(reverse("repairs:log"), {"description": "x", "location": "y", "source": "patrol"})
    assert Repair.objects.filter(project=world.other_estate).count() == 1  # logged in their own project only
    assert response.status_code == 302


def test_a_technician_may_not_take_the_desk_copy_back(world, web_as, accepted):
    services.repair_arrive(repair=accepted, actor=world.technician)
    services.repair_complete(repair=accepted, actor=world.technician, customer_signed=True, fee_yuan="0")
    response = web_as(world.technician).post(reverse("repairs:step", args=[accepted.pk, "return"]))
    assert response.status_code == 403


def test_my_orders_query_count(world, web_as, log, tap, django_assert_max_num_queries):
    for _ in range(8):
        repair = log(price_item=tap)
        services.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
    client = web_as(world.technician)
    with django_assert_max_num_queries(10):  # session, user, projects, nav; not per order
        response = client.get(reverse("repairs:my_orders"))
    assert response.content.decode().count('class="card order-card"') == 8


def test_s05_timeliness_page_shows_the_month(world, web_as, accepted):
    response = web_as(world.office_manager).get(reverse("repairs:timeliness"))
    assert response.status_code == 200 and "维修及时率" in response.content.decode()
    assert web_as(world.office_manager).get(reverse("repairs:timeliness"), {"month": "bad"}).status_code == 200


def test_r05_supervisor_assesses_and_the_desk_records_consent_on_the_order_page(world, web_as, log, engineer):
    repair = log()
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    web_as(engineer).post(
        reverse("repairs:step", args=[repair.pk, "assess"]),
        {"assessment": "需更换角阀", "quoted_fee_yuan": "60", "feasible": "yes"},
    )
    web_as(world.front_desk).post(reverse("repairs:step", args=[repair.pk, "consent"]), {"agreed": "yes"})
    repair.refresh_from_db()
    assert repair.status == RepairStatus.CONSENTED and repair.quoted_fee_yuan == 60


def test_o04_outsider_customer_pick_finds_nobody_of_another_project(world, web_as):
    response = web_as(world.outsider).get(reverse("repairs:customer_pick"), {"q": "lm"})
    assert "李明" not in response.content.decode()


def test_order_page_shows_the_history_in_words(world, web_as, accepted):
    text = web_as(world.front_desk).get(reverse("repairs:detail", args=[accepted.pk])).content.decode()
    assert "登记报修" in text and "已接单" in text and "repair.logged" not in text


def test_r13_butler_writes_a_daily_note_with_a_photo_on_the_order_page(world, web_as, log):
    repair = log(warranty=True, contractor="中建三局维保部")
    services.repair_write_order(repair=repair, actor=world.front_desk)
    services.repair_notify_department(repair=repair, actor=world.front_desk)
    photo = SimpleUploadedFile("n.png", image_bytes("PNG"), content_type="image/png")
    client = web_as(world.butler)
    client.post(
        reverse("repairs:step", args=[repair.pk, "note"]), {"text": "维保单位今日更换防水层", "photos": [photo]}
    )
    note = repair.notes.get()
    assert note.written_by == world.butler and note.photos.count() == 1
    assert "维保单位今日更换防水层" in client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()


def test_r08_technician_declines_on_the_phone_with_a_signature(world, web_as, accepted):
    services.repair_arrive(repair=accepted, actor=world.technician)
    web_as(world.technician).post(
        reverse("repairs:step", args=[accepted.pk, "decline"]),
        {"reason": "客户认为收费过高", "signature": data_url(signature_png())},
    )
    accepted.refresh_from_db()
    assert accepted.status == RepairStatus.DECLINED and accepted.signatures.get().role == "technician"


def test_r06_the_phone_reminds_to_show_id_and_the_order_and_to_enter_only_with_permission(world, web_as, accepted):
    text = web_as(world.technician).get(reverse("repairs:work", args=[accepted.pk])).content.decode()
    assert "出示工作证和派工单，经客户允许方可进入 (R06)" in text and 'id="btn-arrive"' in text
