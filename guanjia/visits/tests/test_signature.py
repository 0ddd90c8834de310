"""V03: the customer's signature on an on-site visit is evidence of its own (``VisitSignature``): kept once with
the checksum of its bytes, never changed or removed, and signatures kept in the visit row before are carried over
pointing at the same stored files."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from guanjia.core.errors import TransitionError
from guanjia.core.evidence import AppendOnlyError
from guanjia.repairs.models import Repair
from guanjia.testing.images import signature_png
from guanjia.visits import services
from guanjia.visits.models import ReturnVisit, VisitSignature
from guanjia.visits.services import VisitResult, return_visit_plan
from guanjia.visits.tests.conftest import at

migration = importlib.import_module("guanjia.visits.migrations.0004_copy_visit_signatures")


def planned_visit(world, number: str = "BX2611020001") -> ReturnVisit:
    repair = Repair.objects.create(
        project=world.estate,
        number=number,
        unit=world.unit,
        customer=world.customer,
        received_at=at(2026, 11, 2, 9, 0),
        registered_by=world.front_desk,
        description="漏水",
    )
    return return_visit_plan(case=repair, case_type="repair", completed_at=at(2026, 11, 2, 10, 0), actor=None)


def made_on_site(world, visit: ReturnVisit, content: bytes) -> ReturnVisit:
    result = VisitResult(method="on_site", satisfaction=5, signature=content, signer_name="李明")
    return services.return_visit_record(visit=visit, result=result, actor=world.front_desk)


def test_v03_the_signature_is_kept_as_a_row_whose_checksum_is_its_bytes(world, client):
    content = signature_png()
    visit = made_on_site(world, planned_visit(world), content)

    signature = VisitSignature.objects.get(visit=visit)
    with signature.image.open("rb") as kept:
        stored = kept.read()
    assert hashlib.sha256(stored).hexdigest() == signature.sha256
    assert signature.image.name.startswith(f"signatures/visits/{visit.pk}-{signature.sha256[:16]}")
    assert (signature.signer_name, signature.collected_by, signature.signed_at) == (
        "李明",
        world.front_desk,
        visit.done_at,
    )
    client.force_login(world.front_desk)
    response = client.get(reverse("visits:signature", args=[visit.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored


def test_v03_a_phone_visit_keeps_no_signature(world, client):
    visit = planned_visit(world)
    services.return_visit_record(
        visit=visit, result=VisitResult(method="phone", satisfaction=5), actor=world.front_desk
    )
    assert not VisitSignature.objects.filter(visit=visit).exists()
    client.force_login(world.front_desk)
    assert client.get(reverse("visits:signature", args=[visit.pk])).status_code == 404


def test_v03_what_the_customer_signed_cannot_be_rewritten_or_removed(world):
    visit = made_on_site(world, planned_visit(world), signature_png())
    signature = VisitSignature.objects.get(visit=visit)
    with pytest.raises(AppendOnlyError):
        VisitSignature.objects.filter(pk=signature.pk).update(signer_name="王五")
    with pytest.raises(AppendOnlyError):
        VisitSignature.objects.filter(visit=visit).delete()
    signature.signer_name = "王五"
    with pytest.raises(AppendOnlyError):
        signature.save()
    with pytest.raises(AppendOnlyError):
        signature.delete()
    # A visit is made once: recording it again is refused and leaves the signature as it was.
    with pytest.raises(TransitionError):
        made_on_site(world, visit, signature_png(size=(500, 200)))
    kept = VisitSignature.objects.get(visit=visit)
    assert (kept.pk, kept.signer_name, kept.sha256, kept.image.name) == (
        signature.pk,
        "李明",
        hashlib.sha256(signature_png()).hexdigest(),
        signature.image.name,
    )


def test_a_signature_kept_in_the_visit_row_is_carried_over_to_the_same_file(world):
    # The visit row as it was before 0005: the two old columns are put back for this test only (the test's
    # transaction rolls the schema change back), and the migration runs with the models as they were then.
    with connection.cursor() as cursor:
        for column in ("signature varchar(100)", "signer_name varchar(50)"):
            cursor.execute(f"ALTER TABLE visits_returnvisit ADD COLUMN {column} NOT NULL DEFAULT ''")
    state = MigrationLoader(connection).project_state(("visits", "0004_copy_visit_signatures"), at_end=False)
    then = state.apps
    content = signature_png()
    name = default_storage.save("signatures/visits/carried-over.png", ContentFile(content))
    signed = planned_visit(world)
    lost = planned_visit(world, "BX2611020002")
    unsigned = planned_visit(world, "BX2611020003")
    for visit, file_name in ((signed, name), (lost, "signatures/visits/lost.png")):
        services.return_visit_record(
            visit=visit, result=VisitResult(method="phone", satisfaction=5), actor=world.front_desk
        )
        then.get_model("visits", "ReturnVisit").objects.filter(pk=visit.pk).update(
            signature=file_name, signer_name="李明"
        )

    migration.copy_signatures(then, None)

    copied = VisitSignature.objects.get(visit=signed)
    assert copied.image.name == name  # the same stored file: nothing moved or rewritten
    assert copied.sha256 == hashlib.sha256(content).hexdigest()
    assert copied.signer_name == "李明" and copied.collected_by == world.front_desk
    assert copied.signed_at == ReturnVisit.objects.get(pk=signed.pk).done_at
    # A file the store has lost is still on the record, without a checksum: nothing signed is dropped.
    assert VisitSignature.objects.get(visit=lost).sha256 == ""
    assert not VisitSignature.objects.filter(visit=unsigned).exists()
    migration.copy_signatures(then, None)  # run again (a retried deploy): nothing is copied twice
    assert VisitSignature.objects.count() == 2
    default_storage.delete(name)
