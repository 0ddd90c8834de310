"""Visitors (F01): register and verify, the host confirms, admit, sign out; passes announced by residents."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanjia.core.errors import TransitionError
from guanjia.frontdesk import services
from guanjia.frontdesk.models import ConfirmMethod, Visitor, VisitorStatus
from guanjia.frontdesk.selectors import visitors_inside
from guanjia.timeline.models import Event

VISITOR_ID = "110101198507074321"


def register(world, **kw):
    return services.visitor_register(
        project=world.estate,
        name=kw.pop("name", "周访客"),
        host_unit=kw.pop("host_unit", world.unit),
        actor=kw.pop("actor", world.front_desk),
        **kw,
    )


def test_f01_visitor_is_verified_confirmed_by_the_host_admitted_and_signed_out(world):
    visitor = register(world, id_number=VISITOR_ID, phone="13600001111", purpose="探亲")
    assert visitor.status == VisitorStatus.WAITING and visitor.id_verified
    # The ID is kept only as last four and a keyed hash.
    assert visitor.id_last4 == "4321" and VISITOR_ID not in visitor.id_hash
    assert VISITOR_ID not in str(Event.objects.for_subject(visitor).values_list("data", flat=True))
    visitor = services.visitor_confirm_host(
        visitor=visitor, confirmed_by="李明", method=ConfirmMethod.INTERCOM, actor=world.front_desk
    )
    visitor = services.visitor_admit(visitor=visitor, actor=world.front_desk)
    assert visitor.status == VisitorStatus.ADMITTED and visitor.admitted_at is not None
    assert list(visitors_inside(world.estate)) == [visitor]
    visitor = services.visitor_sign_out(visitor=visitor, actor=world.front_desk)
    assert visitor.status == VisitorStatus.LEFT and visitor.slip_returned and visitor.left_at is not None
    assert list(visitors_inside(world.estate)) == []
    verbs = list(Event.objects.for_subject(visitor).values_list("verb", flat=True))
    assert verbs == ["visitor.registered", "visitor.host_confirmed", "visitor.admitted", "visitor.left"]


def test_f01_no_visitor_is_admitted_before_the_host_confirms(world):
    visitor = register(world)  # identity unknown: no ID shown
    with pytest.raises(TransitionError, match="不能变为“已进入”"):
        services.visitor_admit(visitor=visitor, actor=world.front_desk)
    assert Visitor.objects.get(pk=visitor.pk).status == VisitorStatus.WAITING


def test_f01_host_refuses_and_the_visitor_is_not_admitted(world):
    visitor = register(world)
    visitor = services.visitor_refuse(visitor=visitor, reason="业主不认识此人", actor=world.front_desk)
    assert visitor.status == VisitorStatus.REFUSED
    with pytest.raises(TransitionError):
        services.visitor_admit(visitor=visitor, actor=world.front_desk)


def test_f01_visitors_still_inside_are_listed_for_the_shift_end(world):
    inside = services.visitor_admit(
        visitor=services.visitor_confirm_host(
            visitor=register(world, name="甲"), confirmed_by="李明", method=ConfirmMethod.PHONE, actor=world.front_desk
        ),
        actor=world.front_desk,
    )
    waiting = register(world, name="乙")
    gone = services.visitor_refuse(visitor=register(world, name="丙"), reason="未联系上业主", actor=world.front_desk)
    assert set(visitors_inside(world.estate)) == {inside, waiting}
    assert gone not in visitors_inside(world.estate)


def test_f01_pre_registered_visitor_is_confirmed_by_the_residents_pass_code_once(world):
    issued = services.visitor_pass_create(
        project=world.estate,
        unit=world.unit,
        customer=world.customer,
        visitor_name="钱朋友",
        valid_on=timezone.localdate(),
        actor=world.front_desk,
    )
    assert len(issued.code) == 6 and issued.code not in issued.obj.code_hash
    visitor = register(world, name="钱朋友", pass_code=issued.code)
    assert visitor.status == VisitorStatus.HOST_CONFIRMED
    assert visitor.host_confirm_method == ConfirmMethod.PASS and visitor.host_confirmed_by == "李明"
    assert services.visitor_admit(visitor=visitor, actor=world.front_desk).status == VisitorStatus.ADMITTED
    with pytest.raises(ValidationError) as exc:
        register(world, name="又一个人", pass_code=issued.code)
    assert list(exc.value.message_dict) == ["pass_code"]


def test_f01_pass_code_of_another_unit_or_another_day_is_refused(world):
    tomorrow = services.visitor_pass_create(
        project=world.estate,
        unit=world.unit,
        visitor_name="x",
        valid_on=timezone.localdate() + timedelta(days=1),
        actor=world.front_desk,
    )
    with pytest.raises(ValidationError, match="通行码无效"):
        register(world, pass_code=tomorrow.code)


def test_f01_outsider_cannot_register_or_move_visitors_of_another_estate(world):
    visitor = register(world)
    with pytest.raises(PermissionDenied):
        register(world, actor=world.outsider)
    with pytest.raises(PermissionDenied):
        services.visitor_confirm_host(visitor=visitor, confirmed_by="x", method="phone", actor=world.outsider)
    with pytest.raises(PermissionDenied):
        services.visitor_pass_create(
            project=world.estate, unit=world.unit, visitor_name="x", valid_on=timezone.localdate(), actor=world.outsider
        )
    with pytest.raises(PermissionDenied):
        services.visitor_verify(visitor=visitor, id_number=VISITOR_ID, actor=world.outsider)


def test_f01_bad_id_number_names_the_field(world):
    with pytest.raises(ValidationError) as exc:
        register(world, id_number="12")
    assert exc.value.message_dict == {"id_number": ["证件号码格式不正确"]}
