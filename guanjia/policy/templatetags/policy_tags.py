from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from guanjia.policy.registry import KEYS, Kind, PolicyKey, from_json

register = template.Library()


@register.filter
def policy_display(value: Any, spec: PolicyKey) -> str:
    """A value as the manual writes it: "10 分钟", "100,000 元", "管理处经理", "不上报"."""
    if value is None:
        return str(spec.none_label or "—")
    if spec.kind in (Kind.ROLE, Kind.CHOICE):
        return str(dict(spec.choices).get(value, value))
    if spec.kind is Kind.BOOL:
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        text = f"{value:,.2f}".removesuffix(".00")
    else:
        text = f"{value:,}" if isinstance(value, int) else str(value)
    unit = str(spec.unit)
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()


@register.filter
def policy_input(value: Any) -> str:
    """A value as a form field holds it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


@register.filter
def policy_label(key: str) -> str:
    spec = KEYS.get(key)
    return str(spec.label) if spec else key


@register.filter
def policy_stored_display(raw: Any, key: str) -> str:
    """A value as stored in a timeline event (JSON), shown like ``policy_display``."""
    spec = KEYS.get(key)
    return policy_display(from_json(spec, raw), spec) if spec else str(raw)
