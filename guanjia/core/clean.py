"""Input cleaning: one rule for each kind of value that many apps accept (text, a phone number, a time that has
happened, an amount of money, an ID number, the fields a change may touch).

Every function returns the cleaned value or raises ``ValidationError({field: [message]})`` naming the field, so
the API answers 400 with the field and a page shows the message beside the input. Services call these; forms
and serializers only parse. A rule defined here is never written again in an app: a phone number the complaint
desk accepts is one the customer archive, the duty log and the leads accept too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

#: How far a time may lie ahead of the server's clock and still count as "now": the clock of the phone or PC
#: that sent it may run a little ahead of the server's. Such a time is stored as now; a minute ahead is refused.
CLOCK_SKEW = timedelta(seconds=30)

TEXT_MAX = 200


def invalid(field: str, message: str) -> ValidationError:
    """The error every cleaner raises: ``message`` on ``field``."""
    return ValidationError({field: [message]})


# --- text ------------------------------------------------------------------------------------------------------


def text(
    value: Any, field: str, *, required: bool = False, max_length: int | None = TEXT_MAX, required_message: str = ""
) -> str:
    """``value`` stripped ("" for None), at most ``max_length`` characters (None: no bound). Numbers are taken as
    their text; anything else (a list, a mapping, a boolean) is refused. ``required_message`` says what is missing
    when the default "此项为必填项" is too vague."""
    if value is None:
        value = ""
    elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise invalid(field, _("请填写文字"))
    value = value.strip()
    if required and not value:
        raise invalid(field, required_message or _("此项为必填项"))
    if max_length is not None and len(value) > max_length:
        raise invalid(field, _("不能超过 %(n)d 个字") % {"n": max_length})
    return value


# --- phone numbers ---------------------------------------------------------------------------------------------

# What a property desk is given: a mobile (139 1234 5678, +86 139…), a landline with its area code and maybe an
# extension (0755-8600 1234 转 123, (010)66001234), a local number without the area code (86001234), or a
# company's 400/800 service number. Full-width digits and punctuation from a Chinese keyboard are accepted.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SERVICE = re.compile(r"[48]00[0-9]{7}")
_LOCAL = re.compile(r"[2-9][0-9]{6,7}")
_AREA = re.compile(r"0[1-9][0-9]{1,2}")
_EXTENSION = re.compile(r"\s*(?:转|ext\.?|x|#)\s*([0-9]{1,6})$", re.IGNORECASE)
_COUNTRY = re.compile(r"^(?:\+|00)\s*86\s*(?:\(0\))?")
_SEPARATORS = re.compile(r"[\s\-().·]+")


def phone(raw: Any, field: str = "phone") -> str:
    """A phone number in one form, or "" when blank; ValidationError on ``field`` when it is not one.

    The form: a mobile or a 400/800 number as bare digits (13912345678); a landline as area code, dash, number
    and, if any, dash and extension (0755-86001234-123); a local number as digits (86001234). Spaces, dashes,
    brackets and a +86 / 0086 prefix are tolerated, so one number typed two ways is the same number.
    """
    typed = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
    if not typed:
        return ""
    number = _phone(typed)
    if number is None:
        raise invalid(field, _("电话号码“%(phone)s”格式不正确") % {"phone": typed})
    return number


def _phone(typed: str) -> str | None:
    extension = ""
    if match := _EXTENSION.search(typed):
        extension, typed = match.group(1), typed[: match.start()]
    international = bool(_COUNTRY.match(typed))
    typed = _COUNTRY.sub("", typed)
    groups = [g for g in _SEPARATORS.split(typed) if g]
    if not groups or not all(g.isascii() and g.isdigit() for g in groups):
        return None
    digits = "".join(groups)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]  # 86 typed without the plus
    if not extension and (_MOBILE.fullmatch(digits) or _SERVICE.fullmatch(digits)):
        return digits
    if international and not digits.startswith("0"):
        digits = "0" + digits  # a landline written for callers abroad drops the trunk 0
    if not digits.startswith("0"):
        if _LOCAL.fullmatch(digits):
            return f"{digits}-{extension}" if extension else digits
        return None
    # The area code: as typed when the first group is one; else 010 and 02x have three digits, the rest four.
    if len(groups) > 1 and _AREA.fullmatch(groups[0]):
        area = groups[0]
    else:
        area = digits[:3] if digits[1:2] in ("1", "2") else digits[:4]
    rest = digits[len(area) :]
    if not extension and not _LOCAL.fullmatch(rest) and len(groups) > 2 and len(groups[-1]) <= 6:
        extension, rest = groups[-1], rest[: -len(groups[-1])]  # 0755-86001234-123
    if not (_AREA.fullmatch(area) and _LOCAL.fullmatch(rest)):
        return None
    return f"{area}-{rest}-{extension}" if extension else f"{area}-{rest}"


# --- times -----------------------------------------------------------------------------------------------------


def past_time(value: Any, *, now: datetime, field: str, skew: timedelta = CLOCK_SKEW) -> datetime:
    """A time that has happened: ``now`` when ``value`` is None or blank; refused when it lies more than
    ``skew`` ahead of ``now``; a time within the skew is taken as ``now``, so nothing is stored in the future.
    A naive time is read in the current time zone."""
    if value is None or value == "":
        return now
    if not isinstance(value, datetime):
        raise invalid(field, _("请填写有效的日期时间"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + skew:
        raise invalid(field, _("时间不能晚于现在"))
    return min(value, now)


# --- money -----------------------------------------------------------------------------------------------------


def money(value: Any, field: str, *, maximum: Decimal, positive: bool = False, label: str = "") -> Decimal:
    """An amount in yuan with at most two decimals (thousands separators allowed: "1,200.50"), at least 0 (more
    than 0 when ``positive``) and at most ``maximum``; quantized to fen. ``label`` names it in the messages
    ("收费不能为负数"); the default is "金额"."""
    named = {"label": label or _("金额")}
    if isinstance(value, bool) or value is None:
        raise invalid(field, _("%(label)s须为数字，例如 35 或 12.50") % named)
    typed = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    try:
        amount = Decimal(typed)
    except (InvalidOperation, ValueError):
        raise invalid(field, _("%(label)s须为数字，例如 35 或 12.50") % named) from None
    if not amount.is_finite():
        raise invalid(field, _("%(label)s须为数字，例如 35 或 12.50") % named)
    if amount < 0:
        raise invalid(field, _("%(label)s不能为负数") % named)
    if positive and amount == 0:
        raise invalid(field, _("%(label)s必须大于 0") % named)
    if amount > maximum:
        raise invalid(field, _("%(label)s不能超过 %(max)s 元") % {**named, "max": maximum})
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field, _("%(label)s须为数字，最多两位小数") % named)
    return amount.quantize(Decimal("0.01"))


# --- identity documents ----------------------------------------------------------------------------------------

# A resident identity card (17 digits and a digit or X), or a passport / permit number.
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]|[A-Z0-9]{6,20}")


def id_number(raw: Any, field: str = "id_number") -> str:
    """An ID number, trimmed and in upper case; ValidationError on ``field`` when it is not one."""
    value = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip().upper()
    if not (value.isascii() and _ID_NUMBER.fullmatch(value)):
        raise invalid(field, _("证件号码格式不正确"))
    return value


# --- changes ---------------------------------------------------------------------------------------------------


def only_fields(changes: Mapping[str, Any] | Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse a change that names a field outside ``allowed``: each such field gets "该字段不可修改"."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("该字段不可修改")] for name in unknown})
