"""Changing the policy: ``policy_set`` and ``policy_reset`` check, then write and record on the timeline."""

from __future__ import annotations

import itertools
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_edit_policy
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Company, Project
from guanjia.policy.models import PolicyValue
from guanjia.policy.registry import INTEGER_KINDS, KEYS, ORDERED, Kind, PolicyKey, from_json, to_json
from guanjia.policy.selectors import forget_cached_policy
from guanjia.timeline.services import record

_TRUE = {"1", "true", "yes", "on", "是"}
_FALSE = {"0", "false", "no", "off", "否"}


def parse_value(spec: PolicyKey, raw: Any) -> Any:
    """The typed value of ``raw`` (a typed value or the text of a form), or ValidationError naming the key."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if spec.nullable:
            return None
        raise _invalid(spec, _("请填写“%(label)s”"))
    text = raw.strip() if isinstance(raw, str) else raw
    if spec.kind in INTEGER_KINDS:
        if isinstance(text, bool):
            raise _invalid(spec, _("“%(label)s”须为整数"))
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise _invalid(spec, _("“%(label)s”须为整数")) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise _invalid(spec, _("“%(label)s”须为整数"))
        return _in_range(spec, int(number))
    if spec.kind is Kind.DECIMAL:
        try:
            amount = Decimal(str(text))
        except InvalidOperation:
            raise _invalid(spec, _("“%(label)s”须为数字")) from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise _invalid(spec, _("“%(label)s”须为数字，最多两位小数"))
        return _in_range(spec, amount)
    if spec.kind is Kind.BOOL:
        if isinstance(text, bool):
            return text
        if str(text).lower() in _TRUE:
            return True
        if str(text).lower() in _FALSE:
            return False
        raise _invalid(spec, _("“%(label)s”须为是或否"))
    # ROLE and CHOICE
    if str(text) not in {value for value, _label in spec.choices}:
        raise _invalid(spec, _("“%(label)s”的取值无效"))
    return str(text)


def policy_set(
    *,
    company: Company,
    project: Project | None = None,
    key: str,
    value: Any,
    actor: Any,
    reason: str = "",
    version: int | None = None,
) -> PolicyValue:
    """Override ``key`` at the company level (``project`` None) or for ``project``.

    ``actor`` None is the system (demo data, migrations). ``version`` is the version of the stored row the
    caller read (None: do not check); a different one raises ConflictError.
    """
    spec = _spec(key)
    _check_scope(company, project, actor)
    typed = parse_value(spec, value)
    with transaction.atomic():
        row = _locked_row(company, project, key)
        if version is not None and (row.version if row else 0) != version:
            raise ConflictError(_("该参数已被他人修改，请刷新后再试。"))
        before = _effective(company, project, key)
        _check_order(company, project, key, typed)
        if row is None:
            row = PolicyValue.objects.create(
                company=company, project=project, key=key, value=to_json(spec, typed), updated_by=_user(actor)
            )
        else:
            row.value = to_json(spec, typed)
            row.updated_by = _user(actor)
            row.version += 1
            row.save(update_fields=["value", "updated_by", "updated_at", "version"])
        record(
            subject=row,
            verb="policy.set",
            actor=actor,
            project=project,
            data=_event_data(spec, company, project, before, typed),
            reason=reason,
        )
    forget_cached_policy(project)
    return row


def policy_reset(*, company: Company, project: Project | None = None, key: str, actor: Any, reason: str = "") -> bool:
    """Drop the override of ``key`` at that level, so it inherits again. False when there was none."""
    spec = _spec(key)
    _check_scope(company, project, actor)
    with transaction.atomic():
        row = _locked_row(company, project, key)
        if row is None:
            return False
        before = from_json(spec, row.value)
        _check_order(company, project, key, _INHERIT)
        record(
            subject=row,
            verb="policy.reset",
            actor=actor,
            project=project,
            data=_event_data(spec, company, project, before, _inherited(company, project, key)),
            reason=reason,
        )
        row.delete()
    forget_cached_policy(project)
    return True


# --- helpers ------------------------------------------------------------------------------------------

_INHERIT = object()  # the candidate value of a key being reset


def _spec(key: str) -> PolicyKey:
    spec = KEYS.get(key)
    if spec is None:
        raise ValidationError({"key": [_("未知的参数：%(key)s") % {"key": key}]})
    return spec


def _check_scope(company: Company, project: Project | None, actor: Any) -> None:
    if project is not None and project.company_id != company.pk:
        raise ValidationError({"project": [_("项目不属于该公司")]})
    if actor is not None and not can_edit_policy(actor, company=company, project=project):
        raise PermissionError("actor may not edit this policy")


def _invalid(spec: PolicyKey, message: str) -> ValidationError:
    return ValidationError({spec.key: [message % {"label": spec.label}]})


def _in_range(spec: PolicyKey, value: int | Decimal) -> int | Decimal:
    if spec.minimum is not None and value < spec.minimum:
        raise ValidationError(
            {spec.key: [_("“%(label)s”不能小于 %(min)s") % {"label": spec.label, "min": spec.minimum}]}
        )
    if spec.maximum is not None and value > spec.maximum:
        raise ValidationError(
            {spec.key: [_("“%(label)s”不能大于 %(max)s") % {"label": spec.label, "max": spec.maximum}]}
        )
    return value


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _locked_row(company: Company, project: Project | None, key: str) -> PolicyValue | None:
    rows = PolicyValue.objects.select_for_update().filter(company=company, key=key)
    return (rows.filter(project__isnull=True) if project is None else rows.filter(project=project)).first()


def _stored(company: Company, keys: set[str]) -> dict[int | None, dict[str, Any]]:
    """Every stored value of ``keys`` in the company, by project id (None: company level)."""
    layers: dict[int | None, dict[str, Any]] = {}
    for key, pid, raw in PolicyValue.objects.filter(company=company, key__in=keys).values_list(
        "key", "project_id", "value"
    ):
        layers.setdefault(pid, {})[key] = from_json(KEYS[key], raw)
    return layers


def _effective(company: Company, project: Project | None, key: str) -> Any:
    layers = _stored(company, {key})
    for level in ([project.pk] if project else []) + [None]:
        if key in layers.get(level, {}):
            return layers[level][key]
    return KEYS[key].default


def _inherited(company: Company, project: Project | None, key: str) -> Any:
    if project is not None:
        company_value = _stored(company, {key}).get(None, {})
        if key in company_value:
            return company_value[key]
    return KEYS[key].default


def _check_order(company: Company, project: Project | None, key: str, candidate: Any) -> None:
    """C06–C08 thresholds must rise from significant to critical at every level the change reaches: the
    company level and each project with its own values, or the one project being changed."""
    group = next((g for g in ORDERED if key in g), None)
    if group is None:
        return
    layers = _stored(company, set(group))
    level = project.pk if project else None
    layer = dict(layers.get(level, {}))
    if candidate is _INHERIT:
        layer.pop(key, None)
    else:
        layer[key] = candidate
    layers[level] = layer
    reached = [level] if project else [None, *(pid for pid in layers if pid is not None)]
    for pid in reached:
        values = {k: _resolve(layers, pid, k) for k in group}
        for low, high in itertools.pairwise(group):
            if values[low] >= values[high]:
                raise _order_error(key, low, high, values, company, pid if project is None else None)


def _resolve(layers: dict[int | None, dict[str, Any]], pid: int | None, key: str) -> Any:
    for level in ([pid] if pid is not None else []) + [None]:
        if key in layers.get(level, {}):
            return layers[level][key]
    return KEYS[key].default


def _order_error(
    key: str, low: str, high: str, values: dict[str, Any], company: Company, pid: int | None
) -> ValidationError:
    other = high if key == low else low
    relation = _("须小于") if key == low else _("须大于")
    message = _("“%(label)s”%(relation)s“%(other)s”（%(value)s），各级投诉的界定须由低到高") % {
        "label": KEYS[key].label,
        "relation": relation,
        "other": KEYS[other].label,
        "value": _plain_number(values[other], KEYS[other]),
    }
    if pid is not None:
        name = company.projects.filter(pk=pid).values_list("name", flat=True).first()
        message += _("（项目“%(project)s”的设置）") % {"project": name}
    return ValidationError({key: [message]})


def _plain_number(value: Any, spec: PolicyKey) -> str:
    text = f"{value:,.2f}".removesuffix(".00") if isinstance(value, Decimal) else f"{value:,}"
    return f"{text} {spec.unit}".strip()


def _event_data(spec: PolicyKey, company: Company, project: Project | None, before: Any, after: Any) -> dict[str, Any]:
    return {
        "key": spec.key,
        "company": company.pk,
        "scope": "project" if project else "company",
        "from": to_json(spec, before),
        "to": to_json(spec, after),
    }
