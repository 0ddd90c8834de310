"""The single input rules of ``guanjia.core.clean``: what a property desk is given is accepted in one form,
and anything else is refused with a message on the field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanjia.core import clean

# What a desk is really given, and the one form each is kept in.
GOOD_PHONES = [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("008613912345678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),  # full-width digits from a Chinese keyboard
    ("0755-86001234", "0755-86001234"),
    ("075586001234", "0755-86001234"),
    ("(010)66001234", "010-66001234"),
    ("（０１０）６６００１２３４", "010-66001234"),
    ("021 6600 1234", "021-66001234"),
    ("0571-8888666", "0571-8888666"),
    ("0755-86001234-123", "0755-86001234-123"),
    ("0755-86001234转123", "0755-86001234-123"),
    ("+86 755 8600 1234", "0755-86001234"),
    ("86001234", "86001234"),
    ("6600123", "6600123"),
    ("400-812-3123", "4008123123"),
    ("800 810 8888", "8008108888"),
]

BAD_PHONES = ["12", "123", "12345", "139111", "1380000", "1391234567", "139123456789", "abc", "139****5678", "3-2-1201"]


@pytest.mark.parametrize(("typed", "kept"), GOOD_PHONES)
def test_a_realistic_phone_number_is_kept_in_one_form(typed: str, kept: str) -> None:
    assert clean.phone(typed) == kept
    assert clean.phone(kept) == kept  # the kept form is itself accepted unchanged


@pytest.mark.parametrize("typed", BAD_PHONES)
def test_anything_else_is_refused_on_the_named_field(typed: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean.phone(typed, "contact_phone")
    assert list(exc.value.message_dict) == ["contact_phone"]
    assert "格式不正确" in exc.value.message_dict["contact_phone"][0]


def test_a_blank_phone_is_no_phone() -> None:
    assert clean.phone(None) == clean.phone("  ") == ""


def test_one_number_typed_two_ways_is_the_same_number() -> None:
    assert clean.phone("0755 8600 1234") == clean.phone("075586001234") == clean.phone("(0755)8600-1234")


def test_a_time_a_few_seconds_ahead_is_now_and_a_minute_ahead_is_refused() -> None:
    # Given a phone whose clock runs a little ahead of the server's
    now = timezone.now()
    assert timedelta(seconds=30) == clean.CLOCK_SKEW
    # then a time within the skew is taken as now, never stored in the future
    assert clean.past_time(now + timedelta(seconds=29), now=now, field="at") == now
    assert clean.past_time(now - timedelta(days=3), now=now, field="at") == now - timedelta(days=3)
    assert clean.past_time(None, now=now, field="at") == now
    # and one beyond it is refused on the named field
    with pytest.raises(ValidationError) as exc:
        clean.past_time(now + timedelta(seconds=31), now=now, field="received_at")
    assert exc.value.message_dict == {"received_at": ["时间不能晚于现在"]}


def test_a_past_time_must_be_a_time() -> None:
    with pytest.raises(ValidationError) as exc:
        clean.past_time("yesterday", now=timezone.now(), field="at")
    assert list(exc.value.message_dict) == ["at"]


def test_text_is_stripped_required_and_bounded() -> None:
    assert clean.text("  漏水 ", "description") == "漏水"
    assert clean.text(None, "note") == ""
    with pytest.raises(ValidationError) as exc:
        clean.text(" ", "description", required=True)
    assert exc.value.message_dict == {"description": ["此项为必填项"]}
    with pytest.raises(ValidationError) as exc:
        clean.text("长" * 11, "note", max_length=10)
    assert exc.value.message_dict == {"note": ["不能超过 10 个字"]}
    with pytest.raises(ValidationError):
        clean.text(["a"], "note")


@pytest.mark.parametrize(
    ("typed", "amount"), [("35", Decimal("35.00")), ("1,200.5", Decimal("1200.50")), (Decimal("0"), Decimal("0.00"))]
)
def test_money_is_yuan_with_two_decimals(typed: object, amount: Decimal) -> None:
    assert clean.money(typed, "fee_yuan", maximum=Decimal("9999")) == amount


@pytest.mark.parametrize("typed", ["abc", "1.234", "-1", "10000", "NaN", None, True])
def test_money_refuses_what_is_not_an_amount(typed: object) -> None:
    with pytest.raises(ValidationError) as exc:
        clean.money(typed, "fee_yuan", maximum=Decimal("9999"))
    assert list(exc.value.message_dict) == ["fee_yuan"]


def test_a_positive_amount_is_more_than_nothing() -> None:
    with pytest.raises(ValidationError):
        clean.money("0", "amount", maximum=Decimal("100"), positive=True)


def test_id_numbers() -> None:
    assert clean.id_number(" 44030119900101123x ") == "44030119900101123X"
    assert clean.id_number("E12345678") == "E12345678"
    for bad in ("12", "4403-0119", "证件"):
        with pytest.raises(ValidationError) as exc:
            clean.id_number(bad, "proof")
        assert exc.value.message_dict == {"proof": ["证件号码格式不正确"]}


def test_only_the_allowed_fields_may_change() -> None:
    clean.only_fields({"name": "x"}, ("name", "phone"))
    with pytest.raises(ValidationError) as exc:
        clean.only_fields({"name": "x", "version": 3, "id": 1}, ("name",))
    assert exc.value.message_dict == {"id": ["该字段不可修改"], "version": ["该字段不可修改"]}


def test_a_huge_amount_is_refused_not_crashed() -> None:
    with pytest.raises(ValidationError):
        clean.money("1e30", "amount", maximum=Decimal("100"))
    assert clean.money("12.500", "amount", maximum=Decimal("100")) == Decimal("12.50")
