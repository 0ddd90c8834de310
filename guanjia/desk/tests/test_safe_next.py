"""Every page that takes a ``next`` goes back only to a page of this site (``guanjia.core.web.safe_next``): another
host, in any spelling, falls back to the page's own default; a local path is honoured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from guanjia.repairs.models import Repair
from guanjia.repairs.services import RepairRequest, repair_log
from guanjia.testing.factories import make_staff
from guanjia.visits.services import return_visit_plan

pytestmark = pytest.mark.django_db

OFFSITE = ("//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)")
LOCAL = "/estates/units/"

#: name → (persona, URL and form of a post that goes back, the default it falls back to)
Page = Callable[[Any], tuple[Any, str, dict[str, str], str]]


def _switcher(world: Any) -> tuple[Any, str, dict[str, str], str]:
    return world.general_manager, reverse("desk:switch_project"), {"project": str(world.estate.pk)}, "/"


def _notifications(world: Any) -> tuple[Any, str, dict[str, str], str]:
    return world.front_desk, reverse("notifications:read_all"), {}, reverse("notifications:inbox")


def _repair_step(world: Any) -> tuple[Any, str, dict[str, str], str]:
    repair: Repair = repair_log(
        project=world.estate,
        request=RepairRequest(description="厨房水龙头漏水", unit=world.unit, customer=world.customer),
        actor=world.front_desk,
    )
    url = reverse("repairs:step", args=[repair.pk, "note"])
    return world.front_desk, url, {"text": ""}, reverse("repairs:detail", args=[repair.pk])


def _visit_review(world: Any) -> tuple[Any, str, dict[str, str], str]:
    repair = Repair.objects.create(
        project=world.estate,
        number="BX2611020001",
        unit=world.unit,
        customer=world.customer,
        received_at=timezone.now() - timedelta(days=2),
        registered_by=world.front_desk,
        description="漏水",
    )
    visit = return_visit_plan(
        case=repair, case_type="repair", completed_at=timezone.now() - timedelta(days=1), actor=None
    )
    url = reverse("visits:review_decide", args=[visit.pk])
    return world.supervisor, url, {"decision": ""}, reverse("visits:review")


def _archive(world: Any) -> tuple[Any, str, dict[str, str], str]:
    url = reverse("frontdesk:archive_record", args=[world.unit.pk])
    return world.front_desk, url, {"kind": "move_in_handover"}, reverse("estates:unit_detail", args=[world.unit.pk])


def _duty_phrase(world: Any) -> tuple[Any, str, dict[str, str], str]:
    return world.office_manager, reverse("duty:phrase_add"), {"category": "", "text": ""}, reverse("duty:phrases")


def _password(world: Any) -> tuple[Any, str, dict[str, str], str]:
    person = make_staff("front_desk", projects=(world.estate,), username="newcomer")
    form = {"old_password": "pass-for-tests-1", "new_password1": "Qz7!long-enough", "new_password2": "Qz7!long-enough"}
    return person, reverse("password_change"), form, reverse("desk:home")


PAGES: dict[str, Page] = {
    "switcher": _switcher,
    "notifications": _notifications,
    "repair_step": _repair_step,
    "visit_review": _visit_review,
    "archive": _archive,
    "duty_phrase": _duty_phrase,
    "password": _password,
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("target", OFFSITE)
def test_a_page_refuses_an_offsite_next_and_goes_to_its_default(world, web_as, page, target):
    user, url, form, default = PAGES[page](world)
    response = web_as(user).post(url, {**form, "next": target})
    assert response.status_code == 302
    assert response["Location"] == default


@pytest.mark.parametrize("page", PAGES)
def test_a_page_honours_a_local_next(world, web_as, page):
    user, url, form, _default = PAGES[page](world)
    response = web_as(user).post(url, {**form, "next": LOCAL})
    assert response.status_code == 302
    assert response["Location"] == LOCAL
