"""Completion hooks (``guanjia.cases.completion``): a completed case tells the apps that react to it, without
the case apps importing them (V01: visits plans the return visit of every kind of case)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from guanjia.cases import completion
from guanjia.cases.completion import EVERY_KIND, Completion, case_completed, completion_hooks, on_case_completed


class Parcel:
    """A stand-in case of a kind nobody else registers for."""

    CASE_TYPE = "parcel"


@pytest.fixture
def isolated_hooks(monkeypatch):
    monkeypatch.setattr(completion, "_hooks", {})


def test_v01_visits_plans_the_return_visit_of_complaints_and_repairs():
    assert "visits.plan" in completion_hooks("complaint")
    assert "visits.plan" in completion_hooks("repair")


def test_the_kinds_own_hooks_run_before_those_for_every_kind(isolated_hooks):
    seen: list[tuple[str, str]] = []
    on_case_completed(EVERY_KIND, "audit", lambda c: seen.append(("audit", c.kind)))
    on_case_completed("parcel", "deliver", lambda c: seen.append(("deliver", c.kind)))
    at = timezone.make_aware(datetime(2026, 11, 2, 10, 0))

    case_completed(case=Parcel(), completed_at=at, actor=None)

    assert seen == [("deliver", "parcel"), ("audit", "parcel")]


def test_registering_a_hook_again_replaces_it(isolated_hooks):
    # AppConfig.ready may run twice in a test process: the hook must not then run twice.
    calls: list[Completion] = []
    on_case_completed("parcel", "deliver", lambda c: calls.append(c))
    on_case_completed("parcel", "deliver", lambda c: calls.append(c))

    case_completed(case=Parcel(), completed_at=timezone.now(), actor=None)

    assert completion_hooks("parcel") == ["deliver"]
    assert len(calls) == 1
