"""Forms of the complaint pages. They parse and check what a clerk typed (field by field, in Chinese);
the rules themselves are checked again, and applied, by ``guanjia.complaints.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanjia.accounts.models import User
from guanjia.cases.models import Department
from guanjia.complaints.grading import GRADE_ORDER, Grade, Injury
from guanjia.complaints.models import Channel, GroupMeasure, Incident, InformMethod, Nature
from guanjia.estates.models import Customer, Project, Unit

#: The standard apology of the manual (C02); the clerk reads it out and may put it into the notes.
APOLOGY = _("非常抱歉给您带来不便，我代表{department}向您致歉，我们会尽快处理并给您答复。")

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_MAX_LOSS = Decimal("9999999999.99")


def _dt(label: Any, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DATETIME_INPUT)


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=32767,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


class FactsMixin(forms.Form):
    """定级事实 (C05–C08)."""

    economic_loss_yuan = forms.DecimalField(
        label=_("经济损失(元)"),
        required=False,
        min_value=Decimal(0),
        max_value=_MAX_LOSS,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"}),
    )
    injury = forms.ChoiceField(label=_("人身伤害"), choices=Injury.choices, required=False)
    deaths = _count(_("死亡人数"))
    media_days = _count(_("负面报道天数"))
    media_outlets = _count(_("报道媒体家数"))
    to_authorities = forms.BooleanField(label=_("已向上级主管部门投诉"), required=False)
    repeat_count = _count(_("此前反映未解决次数"))

    FACT_FIELDS = (
        "economic_loss_yuan",
        "injury",
        "deaths",
        "media_days",
        "media_outlets",
        "to_authorities",
        "repeat_count",
    )

    def facts(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "economic_loss_yuan": data.get("economic_loss_yuan") or Decimal(0),
            "injury": data.get("injury") or Injury.NONE,
            "deaths": data.get("deaths") or 0,
            "media_days": data.get("media_days") or 0,
            "media_outlets": data.get("media_outlets") or 0,
            "to_authorities": bool(data.get("to_authorities")),
            "repeat_count": data.get("repeat_count") or 0,
        }


class RegisterForm(FactsMixin):
    """登记投诉: one screen (C01–C03, C12, C17, C18)."""

    customer = forms.ModelChoiceField(
        label=_("客户"), queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    unit = forms.ModelChoiceField(
        label=_("房屋"), queryset=Unit.objects.none(), required=False, widget=forms.HiddenInput
    )
    customer_name = forms.CharField(label=_("来电人姓名"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    channel = forms.ChoiceField(
        label=_("投诉方式"), choices=Channel.choices, initial=Channel.PHONE, widget=forms.RadioSelect
    )
    mail_sender = forms.CharField(label=_("来文人"), max_length=100, required=False)
    mail_subject = forms.CharField(label=_("来文事由"), max_length=200, required=False)
    description = forms.CharField(
        label=_("投诉内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000})
    )
    location = forms.CharField(label=_("发生地点"), max_length=200, required=False)
    occurred_at = _dt(_("发生时间"))
    received_at = _dt(_("受理时间"))
    against_department = forms.ChoiceField(
        label=_("被投诉部门"), choices=Department.choices, initial=Department.OTHER, required=False
    )
    against_person = forms.CharField(label=_("被投诉人"), max_length=50, required=False)
    customer_request = forms.CharField(
        label=_("客户要求"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    requested_deadline = _dt(_("客户要求期限"))
    first_responder = StaffChoiceField(label=_("首问责任人"), queryset=User.objects.none(), required=False)
    special_service = forms.BooleanField(label=_("特约服务投诉"), required=False)
    incident = forms.ModelChoiceField(
        label=_("所属事件"), queryset=Incident.objects.none(), required=False, widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("处理记录"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如已向客户致歉、已告知处理时限"),
    )

    def __init__(self, *args: Any, project: Project, staff: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["incident"].queryset = Incident.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["first_responder"].queryset = staff  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("first_responder", user.pk)
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("customer"):
            if not data.get("customer_name"):
                self.add_error("customer_name", _("请选择档案内客户，或填写来电人姓名"))
            if not data.get("contact_phone"):
                self.add_error("contact_phone", _("档案外来电请填写联系电话"))
        if data.get("channel") == Channel.LETTER:
            if not data.get("mail_sender"):
                self.add_error("mail_sender", _("书面投诉请填写来文人"))
            if not data.get("mail_subject"):
                self.add_error("mail_subject", _("书面投诉请填写来文事由"))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        mail = None
        if data["channel"] == Channel.LETTER:
            mail = {"sender": data["mail_sender"], "subject": data["mail_subject"]}
        return {
            "channel": data["channel"],
            "description": data["description"],
            "received_at": data.get("received_at"),
            "customer": data.get("customer"),
            "customer_name": data.get("customer_name") or "",
            "contact_phone": data.get("contact_phone") or "",
            "unit": data.get("unit"),
            "location": data.get("location") or "",
            "occurred_at": data.get("occurred_at"),
            "against_department": data.get("against_department") or Department.OTHER,
            "against_person": data.get("against_person") or "",
            "customer_request": data.get("customer_request") or "",
            "requested_deadline": data.get("requested_deadline"),
            "incident": data.get("incident"),
            "first_responder": data.get("first_responder"),
            "special_service": bool(data.get("special_service")),
            "facts": self.facts(),
            "mail": mail,
        }


class FactsForm(FactsMixin):
    """Correcting the facts on the complaint page (C10): the version guards against a stale page."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    location = forms.CharField(label=_("发生地点"), max_length=200, required=False)
    against_department = forms.ChoiceField(label=_("被投诉部门"), choices=Department.choices, required=False)
    against_person = forms.CharField(label=_("被投诉人"), max_length=50, required=False)
    special_service = forms.BooleanField(label=_("特约服务投诉"), required=False)
    reason = forms.CharField(label=_("修改原因"), max_length=500, required=False)

    EXTRA_FIELDS = ("location", "against_department", "against_person", "special_service")

    def changes(self, complaint: Any) -> dict[str, Any]:
        """Only what differs from the stored complaint, so the timeline shows what really changed."""
        wanted = {**self.facts()}
        for name in self.EXTRA_FIELDS:
            value = self.cleaned_data.get(name)
            wanted[name] = value if value is not None else ""
        wanted["special_service"] = bool(self.cleaned_data.get("special_service"))
        if not wanted["against_department"]:
            wanted["against_department"] = complaint.against_department
        return {k: v for k, v in wanted.items() if getattr(complaint, k) != v}


# --- The next actions, one small form each -----------------------------------------------------------


class DispatchForm(forms.Form):
    department = forms.ChoiceField(label=_("责任部门"), choices=Department.choices)
    assignee = StaffChoiceField(label=_("处理人"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]


class EmptyForm(forms.Form):
    """签收 / 确认上报: nothing to type, the button is the decision."""


class NoteForm(forms.Form):
    text = forms.CharField(label=_("处理记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AgreeDeadlineForm(forms.Form):
    deadline = _dt(_("约定完成期限"), required=True)


class NextReplyForm(forms.Form):
    reply_at = _dt(_("约定下次回复时间"), required=True)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class InformForm(forms.Form):
    method = forms.ChoiceField(label=_("告知方式"), choices=InformMethod.choices)
    note = forms.CharField(label=_("告知内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("处理结果"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    on_the_spot = forms.BooleanField(
        label=_("当场解决"), required=False, help_text=_("首问责任人当场处理完毕，无需派单 (C15)")
    )


class NatureForm(forms.Form):
    nature = forms.ChoiceField(
        label=_("投诉性质"), choices=[(Nature.VALID, Nature.VALID.label), (Nature.INVALID, Nature.INVALID.label)]
    )
    refer = forms.BooleanField(label=_("难以判定，提请主管/经理判定"), required=False)
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


class MishandledForm(forms.Form):
    reason = forms.CharField(label=_("处理不当的原因"), max_length=500)


class DismissProposalForm(forms.Form):
    reason = forms.CharField(label=_("不认定的理由"), max_length=500)


class LowerGradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("调整为"), choices=[(g.value, g.label) for g in GRADE_ORDER[:-1]])
    reason = forms.CharField(label=_("降级理由"), max_length=500)

    def __init__(self, *args: Any, current: str = Grade.CRITICAL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lower = [(g.value, g.label) for g in GRADE_ORDER if GRADE_ORDER.index(g) < GRADE_ORDER.index(Grade(current))]
        self.fields["grade"].choices = lower  # type: ignore[attr-defined]


class LinkIncidentForm(forms.Form):
    incident = forms.ModelChoiceField(label=_("关联事件"), queryset=Incident.objects.none(), required=False)
    new_title = forms.CharField(label=_("或新建事件"), max_length=100, required=False)

    def __init__(self, *args: Any, incidents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if incidents is not None:
            self.fields["incident"].queryset = incidents  # type: ignore[attr-defined]


class GroupMeasureForm(forms.Form):
    measure = forms.ChoiceField(label=_("处理方式"), choices=GroupMeasure.choices)
    at = _dt(_("时间"), required=True)
    note = forms.CharField(label=_("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class WrittenReplyForm(forms.Form):
    text = forms.CharField(label=_("书面回复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class SignForm(forms.Form):
    signer_name = forms.CharField(label=_("签名人"), max_length=50)
    opinion = forms.CharField(
        label=_("客户意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    image = forms.CharField(
        label=_("签名"),
        widget=forms.HiddenInput,
        max_length=1_500_000,
        error_messages={"required": _("请在签名框内签名")},
    )
