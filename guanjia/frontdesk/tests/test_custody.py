"""The custody ledger (F02–F06): receive, hand over exactly once to the right person, lend, keys, slips."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanjia.accounts.models import Role
from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.services import sweep
from guanjia.core.errors import ConflictError
from guanjia.frontdesk import services
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, ProofKind
from guanjia.frontdesk.selectors import open_custody_items
from guanjia.frontdesk.tests.conftest import LI_MING_ID
from guanjia.notifications.models import Delivery, Notification
from guanjia.testing.factories import make_customer, make_staff
from guanjia.timeline.models import Event


def receive_parcel(world, **kw):
    kw.setdefault("owner_unit", world.unit)
    kw.setdefault("owner_customer", world.customer)
    return services.custody_receive(
        project=world.estate,
        kind=kw.pop("kind", CustodyKind.PARCEL),
        description=kw.pop("description", ""),
        tracking_number=kw.pop("tracking_number", "SF1234567890"),
        shelf=kw.pop("shelf", "A3"),
        actor=kw.pop("actor", world.front_desk),
        **kw,
    )


def test_f02_parcel_is_registered_and_the_pickup_code_is_sent_to_the_customer_once(world):
    issued = receive_parcel(world)
    item = issued.obj
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert item.status == CustodyStatus.HELD and item.shelf == "A3" and item.owner_unit == world.unit
    # The code is queued for the customer's phone in the outbox; only its hash is stored on the item.
    (sms,) = Delivery.objects.filter(ref=services.custody_ref(item))
    assert sms.recipient_display == "139****5678" and sms.payload["template"] == "pickup_code"
    # No SMS provider in the tests: the row is done at once, and the code is not kept in it.
    assert sms.status == "not_configured" and issued.code not in str(sms.payload) and sms.recipient == ""
    stored = CustodyItem.objects.get(pk=item.pk)
    assert issued.code not in stored.pickup_code_hash and stored.code_sent_to == "139****5678"
    assert stored.code_sent_at is not None
    assert Event.objects.for_subject(item).filter(verb="custody.received").count() == 1
    assert list(open_custody_items(world.estate)) == [stored]


def test_f02_pickup_code_hands_the_parcel_over_and_records_who_and_when(world):
    issued = receive_parcel(world)
    item = services.custody_hand_over(
        item=issued.obj, proof_kind=ProofKind.PICKUP_CODE, proof_value=issued.code, actor=world.front_desk
    )
    assert item.status == CustodyStatus.HANDED_OVER
    assert item.handed_over_by == world.front_desk and item.handed_over_at is not None
    assert item.taken_by_name.startswith("李明") and item.proof_kind == ProofKind.PICKUP_CODE
    assert Event.objects.for_subject(item).filter(verb="custody.handed_over").exists()
    assert list(open_custody_items(world.estate)) == []
    # The ageing limit is met, so the sweep will not alert about a collected parcel.
    assert Deadline.objects.get(custody=item).state == DeadlineState.MET


def test_f02_nothing_is_handed_over_twice(world):
    issued = receive_parcel(world)
    services.custody_hand_over(
        item=issued.obj, proof_kind=ProofKind.PICKUP_CODE, proof_value=issued.code, actor=world.front_desk
    )
    with pytest.raises(ConflictError, match="不能重复交付"):
        services.custody_hand_over(
            item=issued.obj, proof_kind=ProofKind.PICKUP_CODE, proof_value=issued.code, actor=world.butler
        )


def test_f02_wrong_code_or_wrong_id_is_refused_with_a_clear_message(world, li_ming):
    issued = receive_parcel(world)
    wrong = "000000" if issued.code != "000000" else "111111"
    with pytest.raises(ValidationError) as exc:
        services.custody_hand_over(
            item=issued.obj, proof_kind=ProofKind.PICKUP_CODE, proof_value=wrong, actor=world.front_desk
        )
    assert exc.value.message_dict == {"proof": ["取件码不正确，不能交付"]}
    with pytest.raises(ValidationError) as exc:
        services.custody_hand_over(
            item=issued.obj, proof_kind=ProofKind.ID_CARD, proof_value="110101198001019999", actor=world.front_desk
        )
    assert exc.value.message_dict == {"proof": ["证件与收件人不符，不能交付"]}
    assert CustodyItem.objects.get(pk=issued.obj.pk).status == CustodyStatus.HELD


def test_f02_owner_collects_with_his_id_card_full_number_or_last_four(world, li_ming):
    first = receive_parcel(world).obj
    item = services.custody_hand_over(
        item=first, proof_kind=ProofKind.ID_CARD, proof_value=LI_MING_ID, actor=world.front_desk
    )
    assert item.taken_by_name == "李明" and item.proof_detail == "证件尾号 1234"
    assert LI_MING_ID not in str(Event.objects.for_subject(item).values_list("data", flat=True))
    second = receive_parcel(world, tracking_number="YT0002").obj
    item = services.custody_hand_over(
        item=second, proof_kind=ProofKind.ID_CARD, proof_value="1234", actor=world.front_desk
    )
    assert item.status == CustodyStatus.HANDED_OVER


def test_f02_a_household_member_of_the_unit_may_collect_with_her_id(world):
    from guanjia.estates.services import id_number_keys

    last4, digest = id_number_keys("110101199205051111")
    make_customer(world.estate, name="王芳", units=(world.unit,), id_number_last4=last4, id_number_hash=digest)
    item = receive_parcel(world).obj
    item = services.custody_hand_over(
        item=item, proof_kind=ProofKind.ID_CARD, proof_value="110101199205051111", actor=world.front_desk
    )
    assert item.taken_by_name == "王芳"


def test_f02_registered_addressee_outside_the_archive_collects_with_the_id_given_at_registration(world):
    item = receive_parcel(
        world, owner_customer=None, owner_unit=None, owner_name="快递员转交·张三", addressee_id_number="A1234567"
    ).obj
    assert item.addressee_id_last4 == "4567" and "A1234567" not in item.addressee_id_hash
    item = services.custody_hand_over(
        item=item, proof_kind=ProofKind.ID_CARD, proof_value="A1234567", actor=world.front_desk
    )
    assert item.status == CustodyStatus.HANDED_OVER


def test_f02_staff_parcel_needs_the_addressees_work_card(world):
    item = receive_parcel(world, owner_customer=None, owner_unit=None, owner_staff=world.technician).obj
    with pytest.raises(ValidationError, match="工作证与收件人不符"):
        services.custody_hand_over(
            item=item, proof_kind=ProofKind.WORK_CARD, proof_value="butler", actor=world.front_desk
        )
    item = services.custody_hand_over(
        item=item, proof_kind=ProofKind.WORK_CARD, proof_value="tech", actor=world.front_desk
    )
    assert item.taken_by_name == "刘师傅" and item.proof_detail == "工作证 tech"


def test_f02_resending_the_code_retires_the_old_one(world):
    issued = receive_parcel(world)
    again = services.custody_resend_code(item=issued.obj, actor=world.front_desk)
    assert services.find_by_pickup_code(project=world.estate, code=again.code) == issued.obj
    if again.code != issued.code:
        assert services.find_by_pickup_code(project=world.estate, code=issued.code) is None


def test_f02_parcel_uncollected_for_three_days_alerts_the_desk_exactly_once(world):
    received = timezone.now() - timedelta(days=2, hours=23)
    item = receive_parcel(world, received_at=received).obj
    assert sweep(timezone.now()).missed == []
    later = received + timedelta(days=3, minutes=1)
    assert len(sweep(later).missed) == 1
    assert sweep(later + timedelta(hours=1)).missed == []
    alerts = Notification.objects.filter(kind="frontdesk.uncollected", recipient=world.front_desk)
    assert alerts.count() == 1 and "超过 3 天未领取" in alerts.get().title
    assert not Notification.objects.filter(recipient=world.outsider).exists()
    assert item.pk


def test_f03_lost_item_is_returned_to_the_owner_who_describes_it(world):
    found = services.custody_receive(
        project=world.estate,
        kind=CustodyKind.LOST_FOUND,
        description="黑色钱包",
        found_place="3栋大堂",
        depositor_name="保洁 张阿姨",
        actor=world.front_desk,
    ).obj
    assert found.pickup_code_hash == ""
    with pytest.raises(ValidationError) as exc:
        services.custody_hand_over(
            item=found, proof_kind=ProofKind.OWNER_KNOWN, proof_value="内有公交卡", actor=world.front_desk
        )
    assert "taken_by_name" in exc.value.message_dict
    item = services.custody_hand_over(
        item=found,
        proof_kind=ProofKind.OWNER_KNOWN,
        proof_value="内有公交卡和两张银行卡",
        taken_by_name="钱七",
        actor=world.front_desk,
    )
    assert (item.taken_by_name, item.proof_detail) == ("钱七", "内有公交卡和两张银行卡")


def test_f03_lost_and_found_needs_where_it_was_found(world):
    with pytest.raises(ValidationError) as exc:
        services.custody_receive(
            project=world.estate, kind=CustodyKind.LOST_FOUND, description="雨伞", actor=world.front_desk
        )
    assert exc.value.message_dict == {"found_place": ["请填写拾获地点"]}


def test_f04_loan_comes_back_and_damage_is_recorded(world):
    loan = services.custody_lend(
        project=world.estate,
        description="人字梯",
        borrower_name="李明",
        borrower_unit=world.unit,
        proof_kind=ProofKind.ID_CARD,
        proof_value="110101199003071234",
        actor=world.front_desk,
    )
    assert loan.is_out and loan.proof_detail == "证件尾号 1234"
    assert list(open_custody_items(world.estate)) == [loan]
    item = services.custody_take_back(
        item=loan, returned_by_name="李明", damage_note="一级踏板松动", actor=world.front_desk
    )
    assert item.status == CustodyStatus.RETURNED and item.damage_note == "一级踏板松动"
    assert Event.objects.for_subject(item).filter(verb="custody.returned", data__damage="一级踏板松动").exists()
    with pytest.raises(ConflictError):
        services.custody_take_back(item=loan, returned_by_name="李明", actor=world.front_desk)


def test_f05_key_issue_and_return_are_recorded_and_a_key_out_too_long_is_flagged(world):
    key = services.custody_receive(
        project=world.estate,
        kind=CustodyKind.KEY,
        description="入户门钥匙 2把",
        owner_unit=world.unit,
        shelf="K-12",
        actor=world.butler,
    ).obj
    assert key.status == CustodyStatus.HELD
    with pytest.raises(ValidationError) as exc:
        services.custody_hand_over(item=key, proof_kind=ProofKind.WORK_CARD, proof_value="tech", actor=world.butler)
    assert "purpose" in exc.value.message_dict
    key = services.custody_hand_over(
        item=key, proof_kind=ProofKind.WORK_CARD, proof_value="tech", purpose="空置房检查水管", actor=world.butler
    )
    assert key.is_out and key.taken_by_name == "刘师傅" and key.purpose == "空置房检查水管"
    # Out past the limit: the sweep flags it once to the desk and the butler.
    assert len(sweep(key.due_back_at + timedelta(minutes=1)).missed) == 1
    assert Notification.objects.filter(kind="frontdesk.overdue", recipient=world.butler).count() == 1
    key = services.custody_take_back(item=key, returned_by_name="刘师傅", actor=world.butler)
    assert key.status == CustodyStatus.HELD  # back in the drawer, ready for the next issue
    verbs = list(Event.objects.for_subject(key).values_list("verb", flat=True))
    # (the sweep ran at a future "now", so its event sorts last)
    assert sorted(verbs) == sorted(
        ["custody.received", "custody.key_issued", "deadline.missed", "custody.key_returned"]
    )


def test_f06_release_slip_must_be_authorised_by_a_customer_of_the_unit(world):
    stranger = make_customer(world.estate, name="路人甲")
    with pytest.raises(ValidationError) as exc:
        services.custody_slip_register(
            project=world.estate,
            unit=world.unit,
            authorised_by=stranger,
            description="旧沙发",
            carrier_name="搬家公司 刘",
            actor=world.front_desk,
        )
    assert exc.value.message_dict == {"authorised_by": ["授权人不是该房屋的客户，不能开放行条"]}
    slip = services.custody_slip_register(
        project=world.estate,
        unit=world.unit,
        authorised_by=world.customer,
        description="旧沙发、衣柜",
        carrier_name="搬家公司 刘",
        authorised_how="业主电话确认",
        actor=world.front_desk,
    )
    slip = services.custody_slip_release(item=slip, actor=world.front_desk)
    assert slip.status == CustodyStatus.RELEASED and slip.taken_by_name == "搬家公司 刘"
    with pytest.raises(ConflictError, match="已使用"):
        services.custody_slip_release(item=slip, actor=world.front_desk)


def test_f02_outsider_cannot_register_or_hand_over_in_another_estate(world):
    issued = receive_parcel(world)
    with pytest.raises(PermissionDenied):
        receive_parcel(world, actor=world.outsider)
    with pytest.raises(PermissionDenied):
        services.custody_hand_over(
            item=issued.obj, proof_kind=ProofKind.PICKUP_CODE, proof_value=issued.code, actor=world.outsider
        )
    with pytest.raises(PermissionDenied):
        services.custody_lend(project=world.estate, description="伞", borrower_name="x", actor=world.outsider)
    with pytest.raises(PermissionDenied):
        services.custody_dispose(item=issued.obj, note="x", actor=world.outsider)
    with pytest.raises(PermissionDenied):
        services.custody_resend_code(item=issued.obj, actor=world.outsider)
    # A technician of the estate does not keep the ledgers either.
    with pytest.raises(PermissionDenied):
        receive_parcel(world, actor=world.technician)


def test_f02_unclaimed_item_is_disposed_on_record(world):
    item = receive_parcel(world).obj
    with pytest.raises(ValidationError):
        services.custody_dispose(item=item, note=" ", actor=world.front_desk)
    item = services.custody_dispose(item=item, note="超期退回快递公司", actor=world.front_desk)
    assert item.status == CustodyStatus.DISPOSED
    assert Deadline.objects.get(custody=item).state == DeadlineState.CANCELLED


def test_f02_unit_of_another_estate_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        receive_parcel(world, owner_unit=world.other_unit, owner_customer=None)
    assert exc.value.message_dict == {"owner_unit": ["房屋不属于本项目"]}


def test_f05_security_staff_keep_the_ledgers_but_contractors_do_not(world):
    guard = make_staff(Role.SECURITY, projects=(world.estate,))
    assert receive_parcel(world, actor=guard).obj.pk
    contractor = make_staff(Role.CONTRACTOR, projects=(world.estate,))
    with pytest.raises(PermissionDenied):
        receive_parcel(world, actor=contractor)
