"""The registry of case kinds (cases.kinds): each kind declares open, done and on time once."""

from __future__ import annotations

import pytest

from guanjia.cases.kinds import case_kind, case_kinds, kind_of
from guanjia.complaints.models import Complaint
from guanjia.repairs.models import Repair


def test_complaints_and_repairs_declare_their_kind():
    assert {k.key for k in case_kinds()} >= {"complaint", "repair"}
    assert (case_kind("complaint").model, case_kind("complaint").number_prefix) == (Complaint, "TS")
    assert (kind_of(Repair).key, kind_of(Repair).number_prefix, kind_of(Repair).return_visit_type) == (
        "repair",
        "BX",
        "repair",
    )


@pytest.mark.parametrize("key", ["complaint", "repair"])
def test_every_status_is_open_or_ended_and_done_ones_have_ended(key):
    kind = case_kind(key)
    assert set(kind.open_statuses) | set(kind.ended_statuses) == set(kind.statuses)
    assert not set(kind.open_statuses) & set(kind.ended_statuses)
    assert set(kind.done_statuses) <= set(kind.ended_statuses)


def test_a_declined_or_cancelled_repair_has_ended_without_being_done():
    repair = case_kind("repair")
    for status in ("declined", "cancelled"):
        assert repair.has_ended(status) and not repair.is_done(status) and not repair.is_open(status)
    assert repair.is_done("returned") and repair.is_open("in_progress")


def test_an_undeclared_kind_is_named_in_the_error():
    with pytest.raises(KeyError, match="special_service"):
        case_kind("special_service")
