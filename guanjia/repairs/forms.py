"""The repair pages' forms: they only read what was posted (a time, a member of staff, a project's record); every
rule of a repair stays in ``services``, which answers the same to the pages and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from guanjia.accounts.models import User
from guanjia.cases.models import Department
from guanjia.estates.models import Customer, Project, Unit
from guanjia.repairs.models import PriceItem, Repair, RepairSource
from guanjia.repairs.selectors import technicians_for

#: Field names as the user reads them in an error message.
FIELD_LABELS = {
    "description": gettext_lazy("报修内容"),
    "customer": gettext_lazy("客户"),
    "unit": gettext_lazy("房屋"),
    "location": gettext_lazy("维修地点"),
    "price_item": gettext_lazy("收费项目"),
    "received_at": gettext_lazy("受理时间"),
    "appointment_at": gettext_lazy("预约时间"),
    "contractor": gettext_lazy("维保单位"),
    "technician": gettext_lazy("维修人员"),
    "at": gettext_lazy("时间"),
    "completed_at": gettext_lazy("完成时间"),
    "fee_yuan": gettext_lazy("收费"),
    "payment_method": gettext_lazy("收费方式"),
    "collected_by": gettext_lazy("收费人"),
    "customer_signed": gettext_lazy("客户签字"),
    "signature": gettext_lazy("签名"),
    "technician_signature": gettext_lazy("维修人员签名"),
    "photo": gettext_lazy("照片"),
    "actual_items": gettext_lazy("实际项目"),
    "difference_note": gettext_lazy("差异说明"),
    "materials_quality": gettext_lazy("材料检验"),
    "materials_warned": gettext_lazy("提示客户"),
    "reason": gettext_lazy("原因"),
    "assessment": gettext_lazy("评估意见"),
    "text": gettext_lazy("跟进情况"),
    "kind": gettext_lazy("照片类别"),
}
_STAFF_OF_PROJECT = gettext_lazy("请选择本项目的人员")
_NOT_OF_PROJECT = gettext_lazy("不属于本项目")


class WhenField(forms.Field):
    """A ``datetime-local`` value in local time; blank is None (now)."""

    default_error_messages = {"invalid": gettext_lazy("时间格式不正确")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        if not value or not str(value).strip():
            return None
        parsed = parse_datetime(str(value).strip())
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Text(forms.CharField):
    """Free text handed to the service as typed (the service trims it and says what is missing); ``default``
    when the field is not in the form at all."""

    def __init__(self, default: str = "", **kwargs: Any) -> None:
        self.default = default
        super().__init__(required=False, strip=False, **kwargs)


class Says(forms.Field):
    """True when the field says ``word`` (a checkbox "on", a choice "yes")."""

    def __init__(self, word: str = "on", **kwargs: Any) -> None:
        self.word = word
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> bool:
        return value == self.word


class Unless(Says):
    """True unless the field says ``word`` (a choice "no"; absent is yes)."""

    def to_python(self, value: Any) -> bool:
        return value != self.word


def _pick(queryset: QuerySet[Any], message: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=queryset, required=False, error_messages={"invalid_choice": message})


class RepairForm(forms.Form):
    """Reads ``Text(default=…)`` fields that are absent from the post as their default (a form without the
    field, not a blank field)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, field in self.fields.items():
            if isinstance(field, Text) and self.add_prefix(name) not in self.data:
                data[name] = field.default
        return data


class LogForm(RepairForm):
    """R01: the desk's log form."""

    description = Text()
    customer_name = Text()
    contact_phone = Text()
    location = Text()
    received_at = WhenField()
    appointment_at = WhenField()
    source = Text(default=RepairSource.RESIDENT)
    department = Text(default=Department.ENGINEERING)
    warranty = Says("on")
    contractor = Text()
    contractor_phone = Text()

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"] = _pick(Customer.objects.filter(project=project), _NOT_OF_PROJECT)
        self.fields["unit"] = _pick(Unit.objects.filter(project=project), _NOT_OF_PROJECT)
        self.fields["price_item"] = _pick(PriceItem.objects.filter(project=project), _NOT_OF_PROJECT)


class StepForm(RepairForm):
    """A step of an order; ``at`` (when it happened, blank for now) is on every step form that has it."""

    at = WhenField()

    def __init__(self, *args: Any, repair: Repair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.repair = repair

    def staff_field(self, name: str) -> None:
        people: QuerySet[User] = (
            technicians_for(self.repair.project)
            if name == "technician"
            else User.objects.filter(is_active=True, projects=self.repair.project_id).distinct()
        )
        self.fields[name] = _pick(people, _STAFF_OF_PROJECT)


class AcceptForm(StepForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff_field("technician")


class AssessForm(StepForm):
    feasible = Unless("no")
    assessment = Text()
    quoted_fee_yuan = Text()


class ConsentForm(StepForm):
    agreed = Says("yes")
    reason = Text()


class ItemsForm(StepForm):
    """R07: the items actually done: ticked price items (each with its ``qty_<pk>``) and one free line."""

    difference_note = Text()
    extra_name = Text()
    extra_fee = Text()
    extra_qty = Text(default="1")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        ticked = cast(QueryDict, self.data).getlist("item")
        lines: list[dict[str, Any]] = [
            {"price_item": pk, "quantity": self.data.get(f"qty_{pk}", "1") or "1"} for pk in ticked
        ]
        if data["extra_name"].strip():
            lines.append({"name": data["extra_name"], "fee_yuan": data["extra_fee"], "quantity": data["extra_qty"]})
        data["lines"] = lines
        return data


class MaterialsForm(StepForm):
    supplied = Says("on")
    quality = Text()
    warned = Says("on")
    note = Text()


class SignatureForm(StepForm):
    """A signature drawn on the page (a data URL), with the reason or the signer's name where asked."""

    signature = Text()
    reason = Text()
    signer_name = Text()


class CompleteForm(StepForm):
    signature = Text()
    fee_yuan = Text()
    payment_method = Text()
    completed_at = WhenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff_field("collected_by")


class PaymentForm(StepForm):
    payment_method = Text()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff_field("collected_by")


class ReasonForm(StepForm):
    reason = Text()


class NoteForm(StepForm):
    text = Text()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["photos"] = self.files.getlist("photos") if self.files else []
        return data


class PriceFeeForm(forms.Form):
    """A price item's fee, edited in its row; a missing or garbled version is a stale page (a conflict)."""

    fee_yuan = Text()
    version = forms.CharField(required=False)

    def clean_version(self) -> int:
        raw = self.cleaned_data.get("version", "")
        return int(raw) if raw.strip().lstrip("-").isdigit() else -1


class PhotoForm(StepForm):
    kind = Text()
    photo = forms.Field(required=False, widget=forms.FileInput)
