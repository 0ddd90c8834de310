"""Two clerks hand over the same parcel at the same instant: exactly one succeeds (F02)."""

import threading

import pytest
from django.db import connection

from guanjia.accounts.models import Role
from guanjia.cases.tests.helpers import skip_unless_concurrent_writers
from guanjia.core.errors import ConflictError
from guanjia.frontdesk import services
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, ProofKind
from guanjia.testing.factories import make_staff
from guanjia.timeline.models import Event


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_f02_two_clerks_hand_over_the_same_parcel_at_once_and_exactly_one_succeeds(world, round_):
    skip_unless_concurrent_writers()
    # Given a parcel waiting for 李明 and two clerks at the counter, each with a customer holding the code
    second_clerk = make_staff(Role.FRONT_DESK, projects=(world.estate,), name="第二前台")
    issued = services.custody_receive(
        project=world.estate,
        kind=CustodyKind.PARCEL,
        description="",
        owner_customer=world.customer,
        owner_unit=world.unit,
        actor=world.front_desk,
        send_code=False,
    )
    barrier = threading.Barrier(2)
    done: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def clerk(user, taker):
        try:
            item = CustodyItem.objects.get(pk=issued.obj.pk)  # each clerk's screen read the item as held
            barrier.wait()
            services.custody_hand_over(
                item=item, proof_kind=ProofKind.PICKUP_CODE, proof_value=issued.code, taken_by_name=taker, actor=user
            )
            done.append(taker)
        except ConflictError as exc:
            refused.append(str(exc))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=clerk, args=(world.front_desk, "李明")),
        threading.Thread(target=clerk, args=(second_clerk, "冒领人")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then one hand-over went through, the other clerk was told it is gone, and one hand-over is on record
    assert errors == []
    assert len(done) == 1 and len(refused) == 1
    assert "不能重复交付" in refused[0]
    item = CustodyItem.objects.get(pk=issued.obj.pk)
    assert item.status == CustodyStatus.HANDED_OVER and item.taken_by_name == done[0]
    assert Event.objects.for_subject(item).filter(verb="custody.handed_over").count() == 1
