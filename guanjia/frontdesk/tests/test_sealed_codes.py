"""A waiting item's pickup code is kept sealed beside its hash (for the household's own list): written with the
hash, gone when the item leaves the desk, opened only by the key it was sealed under and only for its own
item, and never shown to staff (pages, API) any more than before."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from guanjia.frontdesk import sealed_codes, services
from guanjia.frontdesk.models import CustodyItem, CustodyKind, ProofKind

pytestmark = pytest.mark.django_db

ROTATED_SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789-abcdefghijklmnop"


def receive(world, **kw):
    return services.custody_receive(
        project=world.estate,
        kind=kw.pop("kind", CustodyKind.PARCEL),
        description="",
        owner_unit=world.unit,
        owner_customer=world.customer,
        shelf="A3",
        actor=world.front_desk,
        **kw,
    )


def opened(item: CustodyItem) -> str | None:
    stored = CustodyItem.objects.get(pk=item.pk)
    return sealed_codes.unseal(stored.pk, stored.pickup_code_sealed)


def test_the_sealed_code_is_the_code_issued_and_follows_each_new_one(world):
    issued = receive(world)
    assert opened(issued.obj) == issued.code

    again = services.custody_resend_code(item=issued.obj, actor=world.front_desk)

    assert opened(issued.obj) == again.code
    assert services.find_by_pickup_code(project=world.estate, code=again.code) == issued.obj


def test_handed_over_or_disposed_the_item_keeps_no_sealed_code(world):
    collected, returned = receive(world), receive(world)
    services.custody_hand_over(
        item=collected.obj, proof_kind=ProofKind.PICKUP_CODE, proof_value=collected.code, actor=world.front_desk
    )
    services.custody_dispose(item=returned.obj, note="退回快递公司", actor=world.front_desk)
    for item in (collected.obj, returned.obj):
        assert CustodyItem.objects.get(pk=item.pk).pickup_code_sealed == ""


def test_a_sealed_code_opens_only_for_its_own_item_and_under_its_own_key(world):
    first, second = receive(world), receive(world)
    token = CustodyItem.objects.get(pk=first.obj.pk).pickup_code_sealed
    assert first.code not in token
    # Copied onto another row, the token does not open.
    assert sealed_codes.unseal(second.obj.pk, token) is None
    assert sealed_codes.unseal(first.obj.pk, "not-a-token") is None
    assert sealed_codes.unseal(first.obj.pk, "") is None
    with override_settings(SECRET_KEY=ROTATED_SECRET_KEY):
        assert sealed_codes.unseal(first.obj.pk, token) is None


def test_staff_pages_and_api_show_neither_the_code_nor_its_sealed_copy(world, web_as, api_as):
    issued = receive(world)
    token = CustodyItem.objects.get(pk=issued.obj.pk).pickup_code_sealed
    bare_code = re.compile(rf"(?<!\d){issued.code}(?!\d)")
    api = api_as(world.front_desk)
    answers = [
        api.get("/api/v1/custody-items/", {"status": "open"}),
        api.get(f"/api/v1/custody-items/{issued.obj.pk}/"),
        web_as(world.front_desk).get("/frontdesk/", {"tab": "parcels"}),
    ]
    for answer in answers:
        assert answer.status_code == 200
        body = answer.content.decode()
        assert str(issued.obj.description) in body or issued.obj.shelf in body
        assert not bare_code.search(body) and token not in body and "pickup_code_sealed" not in body
