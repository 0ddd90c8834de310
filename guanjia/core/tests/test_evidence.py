"""Evidence is written once: what a customer signed, a photo of the work, a timeline event or a handover snapshot
is never updated or deleted, whether through the row or through a bulk query (``guanjia.core.evidence``)."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models

from guanjia.complaints import services as complaint_services
from guanjia.complaints.models import ComplaintSignature
from guanjia.core.evidence import AppendOnly, AppendOnlyError, SignedImage, StoredImage
from guanjia.dutylog.models import HandoverSnapshot
from guanjia.repairs.models import RepairPhoto, RepairSignature
from guanjia.testing.images import signature_png
from guanjia.timeline.models import Event
from guanjia.visits.models import VisitSignature

APPEND_ONLY = [Event, HandoverSnapshot, ComplaintSignature, RepairPhoto, RepairSignature, VisitSignature]
STORED_IMAGES = [ComplaintSignature, RepairPhoto, RepairSignature, VisitSignature]
SIGNATURES = [ComplaintSignature, RepairSignature, VisitSignature]


def stored(model: type[models.Model]) -> models.Model:
    """An instance that looks loaded from the database (the guard refuses before any query is made)."""
    row = model(pk=1)
    row._state.adding = False
    return row


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_a_stored_evidence_row_is_never_saved_again_or_deleted(model):
    assert issubclass(model, AppendOnly)
    row = stored(model)
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_evidence_refuses_bulk_update_and_delete(model):
    rows = model.objects.all()
    with pytest.raises(AppendOnlyError):
        rows.update(pk=1)
    with pytest.raises(AppendOnlyError):
        rows.delete()


def test_append_only_error_is_a_value_error():
    # Callers of the former per-app guards caught ValueError; they still do.
    assert issubclass(AppendOnlyError, ValueError)


@pytest.mark.django_db
def test_a_refused_change_leaves_the_recorded_event_as_it_was(world):
    event = Event.objects.create(
        subject_type=ContentType.objects.get_for_model(world.estate), subject_id=world.estate.pk, verb="test.kept"
    )
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(verb="test.changed")
    event.verb = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).verb == "test.kept"


@pytest.mark.django_db
def test_c20_what_a_customer_signed_cannot_be_rewritten_or_removed(world):
    complaint = complaint_services.complaint_register(
        project=world.estate,
        actor=world.front_desk,
        channel="phone",
        description="楼道灯坏了三天没人修",
        customer=world.customer,
    )
    signature = complaint_services.complaint_sign(
        complaint=complaint, image=signature_png(), signer_name="李明", actor=world.front_desk
    )
    with pytest.raises(AppendOnlyError):
        ComplaintSignature.objects.filter(pk=signature.pk).update(signer_name="王五")
    with pytest.raises(AppendOnlyError):
        complaint.signatures.all().delete()
    with pytest.raises(AppendOnlyError):
        signature.delete()
    kept = ComplaintSignature.objects.get(pk=signature.pk)
    assert kept.signer_name == "李明" and kept.sha256 == signature.sha256
    assert kept.image.name == f"signatures/complaints/{complaint.pk}/{signature.sha256[:16]}.png"


@pytest.mark.django_db
def test_c20_a_kept_signature_is_the_file_its_checksum_names(world):
    # StoredImage.store: the checksum of the row, of the timeline entry and of the bytes on disk are one.
    complaint = complaint_services.complaint_register(
        project=world.estate, actor=world.front_desk, channel="phone", description="电梯异响", customer=world.customer
    )
    signature = complaint_services.complaint_sign(
        complaint=complaint, image=signature_png(), signer_name="李明", actor=world.front_desk
    )
    with signature.image.open("rb") as kept:
        assert hashlib.sha256(kept.read()).hexdigest() == signature.sha256
    event = Event.objects.get(verb="complaint.signed", subject_id=complaint.pk)
    assert event.data["sha256"] == signature.sha256 and event.data["signature"] == signature.pk


@pytest.mark.parametrize("model", STORED_IMAGES, ids=lambda m: m.__name__)
def test_every_stored_image_has_the_shared_fields(model):
    assert issubclass(model, StoredImage)
    assert isinstance(model._meta.get_field("image"), models.FileField)
    assert model._meta.get_field("sha256").max_length == 64


@pytest.mark.parametrize("model", SIGNATURES, ids=lambda m: m.__name__)
def test_every_signature_says_who_signed_when_and_who_collected_it(model):
    assert issubclass(model, SignedImage)
    for name in ("signer_name", "signed_at", "collected_by"):
        model._meta.get_field(name)
    assert model(sha256="0" * 64).content_type == "image/png"


def test_stored_files_keep_their_paths():
    # The paths are those files were stored under before the shared base: nothing already kept moves.
    sha = "ab" * 32
    field = ComplaintSignature._meta.get_field("image")
    assert field.generate_filename(ComplaintSignature(complaint_id=7, sha256=sha), "x.png") == (
        f"signatures/complaints/7/{sha[:16]}.png"
    )
    signature = RepairSignature(repair_id=8, role="customer", sha256=sha)
    assert signature.file_path("x.png") == f"signatures/repairs/8/customer-{sha[:16]}.png"
    photo = RepairPhoto(repair_id=9, image_format="JPEG", sha256=sha)
    assert photo.file_path("x.jpg") == f"repairs/9/photos/{sha[:16]}.jpg"
    assert photo.content_type == "image/jpeg"
    # A visit's signature, once a column of the visit row (upload_to "signatures/visits/", named pk-checksum).
    assert VisitSignature(visit_id=10, sha256=sha).file_path("x.png") == f"signatures/visits/10-{sha[:16]}.png"
