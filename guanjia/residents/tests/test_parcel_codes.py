"""The household's parcel list carries each waiting parcel's pickup code (API.md, Residents: "the household's
parcels waiting, with their pickup codes"): the very code the text message carried, for that household only,
gone once the parcel is collected; null, never an error, when the desk cannot open it again."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from guanjia.frontdesk.models import CustodyItem, CustodyStatus
from guanjia.frontdesk.services import custody_dispose, custody_hand_over, custody_receive, find_by_pickup_code
from guanjia.residents.tests.conftest import LI_MING_PHONE, last_code
from guanjia.testing.factories import make_customer, make_unit

pytestmark = pytest.mark.django_db

WANG_FANG_PHONE = "13800002222"  # 李明's neighbour on the same floor: same estate, another household
ROTATED_SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789-abcdefghijklmnop"


@pytest.fixture
def texted_parcel(world, outbox, django_capture_on_commit_callbacks):
    """A parcel for 李明, its pickup code sent by text (printed on the console: no SMS provider in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        issued = custody_receive(
            project=world.estate,
            kind="parcel",
            description="顺丰快递一件",
            actor=world.front_desk,
            owner_customer=world.customer,
            owner_unit=world.unit,
        )
    texted = last_code(outbox, LI_MING_PHONE)
    assert texted == issued.code
    return issued.obj, texted


@pytest.fixture
def neighbour(world):
    unit = make_unit(world.estate, world.building, entrance="2", room="1202")
    return make_customer(world.estate, name="王芳", phones=(WANG_FANG_PHONE,), units=(unit,))


def page_client(outbox, capture, phone: str = LI_MING_PHONE) -> Client:
    """A phone signed in on the /r/ pages with the code it was texted, privacy notice agreed."""
    client = Client()
    with capture(execute=True):
        client.post(reverse("residents:login"), {"phone": phone})
    done = client.post(reverse("residents:login"), {"phone": phone, "code": last_code(outbox, phone)})
    assert done.status_code == 302
    client.post(reverse("residents:privacy"), {"agree": "1"})
    return client


def test_f02_the_list_shows_the_code_the_text_carried_and_the_desk_hands_over_against_it(
    world, resident_api, texted_parcel
):
    parcel, texted = texted_parcel
    client = resident_api(LI_MING_PHONE)

    (listed,) = client.get("/api/v1/resident/parcels/").json()

    assert listed["id"] == parcel.pk and listed["pickup_code"] == texted
    # Reading the list issues nothing: the text's code still opens the parcel at the desk.
    assert find_by_pickup_code(project=world.estate, code=texted) == parcel
    assert client.get("/api/v1/resident/parcels/").json()[0]["pickup_code"] == texted
    custody_hand_over(item=parcel, proof_kind="pickup_code", proof_value=texted, actor=world.front_desk)
    assert client.get("/api/v1/resident/parcels/").json() == []
    assert CustodyItem.objects.get(pk=parcel.pk).pickup_code_sealed == ""


def test_f02_a_fresh_code_replaces_the_listed_one(world, resident_api, texted_parcel):
    parcel, texted = texted_parcel
    client = resident_api(LI_MING_PHONE)

    fresh = client.post(f"/api/v1/resident/parcels/{parcel.pk}/code").json()["pickup_code"]

    assert client.get("/api/v1/resident/parcels/").json()[0]["pickup_code"] == fresh
    assert find_by_pickup_code(project=world.estate, code=fresh) == parcel
    if fresh != texted:
        assert find_by_pickup_code(project=world.estate, code=texted) is None


def test_a_disposed_parcel_keeps_no_code(world, resident_api, texted_parcel):
    parcel, _texted = texted_parcel
    custody_dispose(item=parcel, note="退回快递公司", actor=world.front_desk)
    stored = CustodyItem.objects.get(pk=parcel.pk)
    assert stored.status == CustodyStatus.DISPOSED and stored.pickup_code_sealed == ""
    assert resident_api(LI_MING_PHONE).get("/api/v1/resident/parcels/").json() == []


def test_another_household_reads_neither_the_parcel_nor_its_code(world, resident_api, neighbour, texted_parcel):
    parcel, texted = texted_parcel
    for phone in (WANG_FANG_PHONE, "13700001111"):  # the neighbour, and a customer of the other estate
        client = resident_api(phone)
        answer = client.get("/api/v1/resident/parcels/")
        assert answer.status_code == 200 and answer.json() == []
        assert texted not in answer.content.decode()
        assert client.post(f"/api/v1/resident/parcels/{parcel.pk}/code").status_code == 404
    # The refused requests changed nothing: 李明's code still opens the parcel.
    assert find_by_pickup_code(project=world.estate, code=texted) == parcel


def test_after_a_secret_key_rotation_the_code_is_null_not_an_error(world, resident_api, texted_parcel):
    parcel, _texted = texted_parcel
    client = resident_api(LI_MING_PHONE)
    old_key = settings.SECRET_KEY

    with override_settings(SECRET_KEY=ROTATED_SECRET_KEY):
        answer = client.get("/api/v1/resident/parcels/")
        assert answer.status_code == 200
        assert answer.json()[0]["id"] == parcel.pk and answer.json()[0]["pickup_code"] is None
        # The resident asks for a fresh code, sealed under the new key.
        fresh = client.post(f"/api/v1/resident/parcels/{parcel.pk}/code").json()["pickup_code"]
        assert client.get("/api/v1/resident/parcels/").json()[0]["pickup_code"] == fresh
    # While the old key is a fallback, codes sealed under it still open (as Django's signed values do).
    parcel2 = custody_receive(
        project=world.estate, kind="mail", description="挂号信", actor=world.front_desk, owner_unit=world.unit
    )
    with override_settings(SECRET_KEY=ROTATED_SECRET_KEY, SECRET_KEY_FALLBACKS=[old_key]):
        listed = {p["id"]: p["pickup_code"] for p in client.get("/api/v1/resident/parcels/").json()}
    assert listed[parcel2.obj.pk] == parcel2.code


def test_an_item_registered_before_codes_were_sealed_lists_no_code(world, resident_api, texted_parcel):
    parcel, _texted = texted_parcel
    CustodyItem.objects.filter(pk=parcel.pk).update(pickup_code_sealed="")  # as rows from before the field
    client = resident_api(LI_MING_PHONE)
    assert client.get("/api/v1/resident/parcels/").json()[0]["pickup_code"] is None
    fresh = client.post(f"/api/v1/resident/parcels/{parcel.pk}/code").json()["pickup_code"]
    assert client.get("/api/v1/resident/parcels/").json()[0]["pickup_code"] == fresh


def test_the_database_holds_no_plain_code(world, texted_parcel):
    parcel, texted = texted_parcel
    table = connection.ops.quote_name(CustodyItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [parcel.pk])  # noqa: S608 (a model's own table)
        row = cursor.fetchone()
    stored = " ".join(str(value) for value in row)
    assert CustodyItem.objects.get(pk=parcel.pk).pickup_code_sealed  # sealed, not empty
    assert not re.search(rf"(?<!\d){texted}(?!\d)", stored)
    assert texted not in stored


def test_the_parcels_page_shows_the_code_and_its_qr(world, outbox, django_capture_on_commit_callbacks, texted_parcel):
    parcel, texted = texted_parcel
    client = page_client(outbox, django_capture_on_commit_callbacks)

    page = client.get(reverse("residents:parcels")).content.decode()

    item = page.split(f'id="parcel-{parcel.pk}"', 1)[1].split("</li>", 1)[0]
    assert "<svg" in item and re.search(rf"data-pickup-code>\s*{texted}\s*<", item)
    # Nothing to ask for while the code is known; an item without one offers the button.
    assert reverse("residents:parcel_code", args=[parcel.pk]) not in item
    CustodyItem.objects.filter(pk=parcel.pk).update(pickup_code_sealed="")
    item = client.get(reverse("residents:parcels")).content.decode().split(f'id="parcel-{parcel.pk}"', 1)[1]
    item = item.split("</li>", 1)[0]
    assert "<svg" not in item and "data-pickup-code" not in item
    assert reverse("residents:parcel_code", args=[parcel.pk]) in item
