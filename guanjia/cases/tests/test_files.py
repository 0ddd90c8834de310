"""No stored file is public: signatures, photos and kept exports are served only to logged-in staff who may see
the file's case or project; nobody else gets a byte, and there is no /media/ URL, not even under DEBUG."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from guanjia.accounts.models import Role
from guanjia.complaints.services import complaint_register, complaint_sign
from guanjia.exports.models import ExportJob
from guanjia.exports.services import export_job_run
from guanjia.repairs import services as repairs
from guanjia.repairs.models import PriceItem
from guanjia.testing.factories import make_staff
from guanjia.testing.images import image_bytes, signature_data_url, signature_png
from guanjia.visits.services import VisitResult, return_visit_plan, return_visit_record

SH = ZoneInfo("Asia/Shanghai")
#: Every file is made on the 1st of March 2026, 10:00 Beijing time, whatever day the tests run.
MADE_AT = datetime(2026, 3, 1, 10, 0, tzinfo=SH)


@dataclass
class StoredFiles:
    """One file of every kind in 滨江花园, and the URL that serves each."""

    urls: dict[str, str]
    stored: dict[str, bytes]
    names: dict[str, str]
    media_path: str
    visit_id: int


def _read(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as handle:
        return bytes(handle.read())


def make_files(world) -> StoredFiles:
    """Every kind of file, through the services the desk uses (checked, re-encoded, saved to the storage)."""
    with time_machine.travel(MADE_AT, tick=False):
        complaint = complaint_register(
            project=world.estate,
            actor=world.front_desk,
            channel="phone",
            description="楼道灯不亮",
            customer=world.customer,
        )
        complaint_signature = complaint_sign(
            complaint=complaint, image=signature_data_url(), signer_name="李明", actor=world.front_desk
        )
        repair = repairs.repair_log(
            project=world.estate,
            request=repairs.RepairRequest(
                description="厨房水龙头漏水",
                unit=world.unit,
                customer=world.customer,
                price_item=PriceItem.objects.create(
                    project=world.estate, code="SL01", name="更换水龙头", fee_yuan=Decimal("30.00")
                ),
            ),
            actor=world.front_desk,
        )
        repairs.repair_accept(repair=repair, actor=world.technician, technician=world.technician)
        photo = repairs.repair_add_photo(repair=repair, actor=world.technician, kind="before", upload=image_bytes())
        repairs.repair_arrive(repair=repair, actor=world.technician)
        repair_signature = repairs.repair_customer_sign(
            repair=repair, actor=world.technician, signature=signature_png(), signer_name="李明"
        )
        visit = return_visit_plan(case=repair, case_type="repair", completed_at=MADE_AT, actor=None)
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        visit = return_visit_record(
            visit=visit,
            result=VisitResult(method="on_site", satisfaction=5, signature=signature_data_url()),
            actor=world.front_desk,
        )
    job = ExportJob.objects.create(
        project=world.estate,
        kind="complaints",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        requested_by=world.office_manager,
    )
    export = export_job_run(job_id=job.pk)
    assert export is not None and export.file
    return StoredFiles(
        urls={
            "complaint_signature": reverse("complaints:signature_image", args=[complaint_signature.pk]),
            "repair_photo": reverse("repairs:photo", args=[photo.pk]),
            "repair_signature": reverse("repairs:signature", args=[repair_signature.pk]),
            "visit_signature": reverse("visits:signature", args=[visit.pk]),
            "export": reverse("exports:job_file", args=[export.pk]),
        },
        stored={
            "complaint_signature": _read(complaint_signature.image),
            "repair_photo": _read(photo.image),
            "repair_signature": _read(repair_signature.image),
            "visit_signature": _read(visit.signature.image),
            "export": _read(export.file),
        },
        names={
            "complaint_signature": complaint_signature.image.name,
            "repair_photo": photo.image.name,
            "repair_signature": repair_signature.image.name,
            "visit_signature": visit.signature.image.name,
            "export": export.file.name,
        },
        media_path=complaint_signature.image.name,
        visit_id=visit.pk,
    )


@pytest.fixture
def files(world) -> StoredFiles:
    return make_files(world)


KINDS = ["complaint_signature", "repair_photo", "repair_signature", "visit_signature", "export"]


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitor_is_sent_to_login_and_gets_no_bytes(files, kind):
    response = Client().get(files.urls[kind])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert files.stored[kind] not in body(response)


@pytest.mark.parametrize("kind", KINDS)
def test_staff_of_another_project_get_404(world, files, kind):
    # The outsider is the front desk of 翠湖苑; a manager there may export, so exports are tried with one too.
    other_manager = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="cuihu-mgr")
    for user in (world.outsider, other_manager):
        client = Client()
        client.force_login(user)
        response = client.get(files.urls[kind])
        if kind == "export" and user == world.outsider:
            assert response.status_code == 403  # the desk does not export at all
        else:
            assert response.status_code == 404
        assert files.stored[kind] not in body(response)


@pytest.mark.parametrize(
    ("kind", "persona", "content_type"),
    [
        ("complaint_signature", "front_desk", "image/png"),
        ("repair_photo", "technician", "image/jpeg"),
        ("repair_signature", "front_desk", "image/png"),
        ("visit_signature", "butler", "image/png"),
        ("export", "office_manager", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("export", "general_manager", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_staff_who_may_see_the_case_get_the_file(world, files, kind, persona, content_type):
    client = Client()
    client.force_login(world.persona(persona))
    response = client.get(files.urls[kind])
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == files.stored[kind]


def test_visit_page_shows_the_signature_through_its_protected_url(world, files):
    client = Client()
    client.force_login(world.front_desk)
    page = client.get(reverse("visits:visit", args=[files.visit_id])).content.decode()
    assert f'src="{files.urls["visit_signature"]}"' in page and "/media/" not in page


def test_a_lost_file_is_a_404_not_a_500(world, files):
    from guanjia.complaints.models import ComplaintSignature

    signature = ComplaintSignature.objects.get()
    signature.image.storage.delete(signature.image.name)
    client = Client()
    client.force_login(world.front_desk)
    assert client.get(files.urls["complaint_signature"]).status_code == 404


@pytest.fixture
def debug_urlconf(settings):
    """The project's URLs as loaded with DEBUG on (where Django's static() helper would add /media/)."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_there_is_no_media_url_even_with_debug_on(world, settings, tmp_path, debug_urlconf):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    files = make_files(world)
    assert (tmp_path / files.media_path).read_bytes() == files.stored["complaint_signature"]  # it is on disk
    with pytest.raises(Resolver404):
        resolve(f"/media/{files.media_path}")
    anonymous, member = Client(), Client()
    member.force_login(world.front_desk)
    for client in (anonymous, member):
        response = client.get(f"/media/{files.media_path}")
        assert response.status_code == 404
        assert files.stored["complaint_signature"] not in body(response)


def test_a_purged_visit_takes_its_signature_file_with_it(world, files, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from guanjia.exports.retention import retention_purge

    name = files.names["visit_signature"]
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        result = retention_purge(
            project=world.estate,
            kind="return_visits",
            before=date(2026, 12, 31),  # the visit was made on 2 March 2026
            reason="保存期满",
            actor=world.office_manager,
            today=date(2029, 1, 1),
        )
    assert result.counts["visits.returnvisit"] == 1
    assert not default_storage.exists(name)
    assert default_storage.exists(files.names["complaint_signature"])  # other records' files stay
