"""The customer archive (F07): move-in handover, move-out, decoration application and review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanjia.frontdesk import services
from guanjia.frontdesk.models import ArchiveEventKind
from guanjia.frontdesk.selectors import archive_events_of
from guanjia.timeline.models import Event


def test_f07_move_in_handover_is_on_the_customers_and_the_units_record(world):
    today = timezone.localdate()
    event = services.archive_event_record(
        unit=world.unit,
        customer=world.customer,
        kind=ArchiveEventKind.MOVE_IN_HANDOVER,
        on=today,
        details="水电表读数 水 12 电 340",
        documents_note="钥匙 3 把、业主手册",
        actor=world.butler,
    )
    assert list(archive_events_of(customer=world.customer)) == [event]
    assert list(archive_events_of(unit=world.unit)) == [event]
    assert Event.objects.for_subject(world.customer).filter(verb="archive.move_in_handover").exists()
    assert Event.objects.for_subject(world.unit).filter(verb="archive.move_in_handover").exists()


def test_f07_decoration_review_decides_an_application_of_the_same_unit(world):
    today = timezone.localdate()
    application = services.archive_event_record(
        unit=world.unit,
        customer=world.customer,
        kind=ArchiveEventKind.DECORATION_APPLICATION,
        on=today,
        details="厨房改造",
        actor=world.front_desk,
    )
    with pytest.raises(ValidationError) as exc:
        services.archive_event_record(
            unit=world.unit,
            kind=ArchiveEventKind.DECORATION_REVIEW,
            on=today,
            application=application,
            actor=world.supervisor,
        )
    assert exc.value.message_dict == {"approved": ["请选择审核结果"]}
    review = services.archive_event_record(
        unit=world.unit,
        kind=ArchiveEventKind.DECORATION_REVIEW,
        on=today,
        application=application,
        approved=True,
        details="不得改动承重墙",
        actor=world.supervisor,
    )
    assert list(application.reviews.all()) == [review]


def test_f07_customer_must_live_in_the_unit_and_outsider_may_not_record(world):
    with pytest.raises(ValidationError) as exc:
        services.archive_event_record(
            unit=world.unit,
            customer=world.other_customer,
            kind=ArchiveEventKind.MOVE_OUT,
            on=timezone.localdate(),
            actor=world.front_desk,
        )
    assert "customer" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.archive_event_record(
            unit=world.unit, kind=ArchiveEventKind.MOVE_OUT, on=timezone.localdate(), actor=world.outsider
        )
    with pytest.raises(PermissionDenied):
        services.archive_event_record(
            unit=world.unit, kind=ArchiveEventKind.MOVE_OUT, on=timezone.localdate(), actor=world.technician
        )
