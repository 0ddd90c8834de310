"""What the complaints API reads and writes (API.md; C01–C20): the complaint as the API shows it, and the
bodies of registration and of every step. Serializers only parse types; ``complaints.services`` decides the rest."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from guanjia.api.fields import BuiltOnceSerializer, copy_fields
from guanjia.api.fields import ModelSerializer as UnsetAsNullModelSerializer
from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.cases.uploads import SIGNATURE_MAX_BYTES
from guanjia.complaints import services
from guanjia.complaints.grading import Grade, Injury
from guanjia.complaints.models import (
    Channel,
    Complaint,
    GroupMeasure,
    Incident,
    InformMethod,
    Nature,
)
from guanjia.complaints.proposals import open_proposals
from guanjia.core.api import StrictSerializer, VersionField
from guanjia.estates.api import MaskedPhoneField, ScopedPrimaryKeyField
from guanjia.estates.models import Customer, Project, Unit

TEXT_MAX = services.TEXT_MAX


# --- serializers: out ----------------------------------------------------------------------------------------


class ComplaintDeadlineSerializer(BuiltOnceSerializer[Deadline]):
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = Deadline
        fields = ["kind", "kind_label", "due_at", "state", "met_at", "late", "fired"]
        read_only_fields = fields


def _current(complaint: Complaint, kind: str) -> Deadline | None:
    """The limit of ``kind`` that applies now (the latest one not replaced), from the prefetched rows."""
    rows = [d for d in complaint.deadlines.all() if d.kind == kind and d.state != DeadlineState.CANCELLED]
    return max(rows, key=lambda d: (d.created_at, d.pk)) if rows else None


class ComplaintSerializer(UnsetAsNullModelSerializer[Complaint]):
    contact_phone = MaskedPhoneField(help_text=gettext_lazy("已脱敏"))
    customer_display = serializers.CharField(source="display_customer", read_only=True)
    escalate_to = serializers.SerializerMethodField()
    response_due_at = serializers.SerializerMethodField()
    escalate_due_at = serializers.SerializerMethodField()
    resolve_due_at = serializers.SerializerMethodField(help_text=gettext_lazy("须与客户约定而尚未约定时为 null"))
    deadlines = serializers.SerializerMethodField()
    mishandling_proposal = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "C11：时限超时后提请主管认定处理不当，待决定时为 {limits: [...]}，否则为 null；"
            "接受用 mishandled，不认定用 dismiss-proposal"
        )
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "project",
            "unit",
            "customer",
            "customer_name",
            "customer_display",
            "contact_phone",
            "channel",
            "received_at",
            "registered_at",
            "entered_late",
            "description",
            "location",
            "occurred_at",
            "against_department",
            "against_person",
            "customer_request",
            "requested_deadline",
            "incident",
            "economic_loss_yuan",
            "injury",
            "deaths",
            "media_days",
            "media_outlets",
            "to_authorities",
            "repeat_count",
            "mishandled_count",
            "special_service",
            "nature",
            "nature_referred",
            "grade",
            "computed_grade",
            "grade_reasons",
            "status",
            "first_responder",
            "registered_by",
            "department",
            "assignee",
            "dispatched_at",
            "acknowledged_at",
            "acknowledged_by",
            "next_reply_at",
            "customer_informed_at",
            "customer_informed_method",
            "group_measure",
            "group_measure_at",
            "result",
            "settled_on_the_spot",
            "completed_at",
            "escalate_to",
            "response_due_at",
            "escalate_due_at",
            "resolve_due_at",
            "next_due_at",
            "deadlines",
            "mishandling_proposal",
            "version",
        ]
        read_only_fields = fields

    def get_escalate_to(self, complaint: Complaint) -> str | None:
        return complaint.escalate_to or None

    def _due(self, complaint: Complaint, kind: str) -> str | None:
        deadline = _current(complaint, kind)
        return serializers.DateTimeField().to_representation(deadline.due_at) if deadline else None

    def get_response_due_at(self, complaint: Complaint) -> str | None:
        return self._due(complaint, "response")

    def get_escalate_due_at(self, complaint: Complaint) -> str | None:
        return self._due(complaint, "escalate") if complaint.escalate_to else None

    def get_resolve_due_at(self, complaint: Complaint) -> str | None:
        return self._due(complaint, "resolve")

    @cached_property
    def _deadline_rows(self) -> ComplaintDeadlineSerializer:
        # One row serializer for the whole answer (a list shows fifty complaints with one ComplaintSerializer).
        return ComplaintDeadlineSerializer()

    def get_deadlines(self, complaint: Complaint) -> list[dict[str, Any]]:
        rows = self._deadline_rows
        return [rows.to_representation(deadline) for deadline in complaint.deadlines.all()]

    def get_mishandling_proposal(self, complaint: Complaint) -> dict[str, Any] | None:
        limits = open_proposals(complaint.deadlines.all())
        if not limits:
            return None
        when = serializers.DateTimeField()
        return {
            "limits": [
                {
                    "kind": d.kind,
                    "kind_label": d.kind_label,
                    "due_at": when.to_representation(d.due_at),
                    "missed_at": when.to_representation(d.missed_at) if d.missed_at else None,
                }
                for d in limits
            ]
        }


# --- serializers: in -----------------------------------------------------------------------------------------


def _count_field(label: Any) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=0, max_value=services.SMALL_INT_MAX, label=label)


class ComplaintFactsFields(StrictSerializer):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # Each body read (every registration) copies the declared fields cheaply instead of rebuilding them.
        return copy_fields(self._declared_fields)

    location = serializers.CharField(required=False, allow_blank=True, max_length=200, label=gettext_lazy("发生地点"))
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("发生时间"))
    against_department = serializers.ChoiceField(
        choices=Department.choices, required=False, label=gettext_lazy("被投诉部门")
    )
    against_person = serializers.CharField(
        required=False, allow_blank=True, max_length=50, label=gettext_lazy("被投诉人")
    )
    customer_request = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, label=gettext_lazy("客户要求")
    )
    requested_deadline = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("客户要求期限"))
    economic_loss_yuan = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0, label=gettext_lazy("经济损失(元)")
    )
    injury = serializers.ChoiceField(choices=Injury.choices, required=False, label=gettext_lazy("人身伤害"))
    deaths = _count_field(gettext_lazy("死亡人数"))
    media_days = _count_field(gettext_lazy("负面报道天数"))
    media_outlets = _count_field(gettext_lazy("报道媒体家数"))
    to_authorities = serializers.BooleanField(required=False, label=gettext_lazy("向上级主管部门投诉"))
    repeat_count = _count_field(gettext_lazy("此前反映未解决次数"))
    special_service = serializers.BooleanField(required=False, label=gettext_lazy("特约服务投诉"))


class ComplaintMailSerializer(StrictSerializer):
    sender = serializers.CharField(required=False, allow_blank=True, max_length=100, label=gettext_lazy("来文人"))
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200, label=gettext_lazy("来文事由"))


class ComplaintCreateSerializer(ComplaintFactsFields):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all(), project_field="id", label=gettext_lazy("项目"))
    unit = ScopedPrimaryKeyField(
        queryset=Unit.objects.all(), required=False, allow_null=True, label=gettext_lazy("房屋")
    )
    customer = ScopedPrimaryKeyField(
        queryset=Customer.objects.all(), required=False, allow_null=True, label=gettext_lazy("客户")
    )
    customer_name = serializers.CharField(
        required=False, allow_blank=True, max_length=50, label=gettext_lazy("客户姓名")
    )
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=20, label=gettext_lazy("联系电话")
    )
    channel = serializers.ChoiceField(choices=Channel.choices, label=gettext_lazy("投诉方式"))
    received_at = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("受理时间"))
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX, label=gettext_lazy("投诉内容"))
    incident = ScopedPrimaryKeyField(
        queryset=Incident.objects.all(), required=False, allow_null=True, label=gettext_lazy("所属事件")
    )
    first_responder = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, label=gettext_lazy("首问责任人")
    )
    mail = ComplaintMailSerializer(required=False, allow_null=True, label=gettext_lazy("收文登记"))


class ComplaintUpdateSerializer(ComplaintFactsFields):
    version = VersionField(label=gettext_lazy("版本号"))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, label=gettext_lazy("原因"))


class ComplaintReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX, label=gettext_lazy("原因"))


class ComplaintCompleteSerializer(StrictSerializer):
    result = serializers.CharField(max_length=services.DESCRIPTION_MAX, label=gettext_lazy("处理结果"))
    completed_at = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("完成时间"))
    on_the_spot = serializers.BooleanField(
        required=False,
        default=False,
        label=gettext_lazy("当场解决"),
        help_text=gettext_lazy("首问责任人当场解决，无需派单 (C15)"),
    )


class AgreeDeadlineSerializer(StrictSerializer):
    deadline = serializers.DateTimeField(label=gettext_lazy("约定期限"))
    at = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("约定时间"))


class ComplaintAtSerializer(StrictSerializer):
    at = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("时间"))


class ComplaintDispatchSerializer(ComplaintAtSerializer):
    department = serializers.ChoiceField(choices=Department.choices, label=gettext_lazy("责任部门"))
    assignee = serializers.IntegerField(required=False, allow_null=True, min_value=1, label=gettext_lazy("处理人"))


class ComplaintNatureSerializer(StrictSerializer):
    nature = serializers.ChoiceField(
        choices=[(Nature.VALID, Nature.VALID.label), (Nature.INVALID, Nature.INVALID.label)],
        required=False,
        label=gettext_lazy("投诉性质"),
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, label=gettext_lazy("原因"))
    refer = serializers.BooleanField(required=False, default=False, label=gettext_lazy("提请主管/经理判定"))


class ComplaintNoteSerializer(ComplaintAtSerializer):
    text = serializers.CharField(max_length=TEXT_MAX, label=gettext_lazy("处理记录"))


class NextReplySerializer(StrictSerializer):
    reply_at = serializers.DateTimeField(label=gettext_lazy("下次回复时间"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, label=gettext_lazy("说明"))


class ComplaintInformSerializer(ComplaintAtSerializer):
    method = serializers.ChoiceField(choices=InformMethod.choices, label=gettext_lazy("告知方式"))
    note = serializers.CharField(max_length=TEXT_MAX, label=gettext_lazy("告知内容"))


class LowerGradeSerializer(ComplaintReasonSerializer):
    grade = serializers.ChoiceField(choices=Grade.choices, label=gettext_lazy("投诉级别"))


class LinkIncidentSerializer(StrictSerializer):
    incident = ScopedPrimaryKeyField(queryset=Incident.objects.all(), allow_null=True, label=gettext_lazy("事件"))


class ComplaintSignSerializer(StrictSerializer):
    image = serializers.CharField(
        max_length=SIGNATURE_MAX_BYTES * 2, label=gettext_lazy("签名"), help_text="data:image/png;base64,…"
    )
    signer_name = serializers.CharField(max_length=50, label=gettext_lazy("签名人"))
    opinion = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, label=gettext_lazy("客户意见")
    )


class ComplaintReplySerializer(ComplaintAtSerializer):
    text = serializers.CharField(max_length=services.DESCRIPTION_MAX, label=gettext_lazy("书面回复"))


class GroupMeasureSerializer(ComplaintAtSerializer):
    measure = serializers.ChoiceField(choices=GroupMeasure.choices, label=gettext_lazy("处理方式"))
    note = serializers.CharField(max_length=TEXT_MAX, label=gettext_lazy("说明"))


class ComplaintSignatureOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    signer_name = serializers.CharField()
    signed_at = serializers.DateTimeField()
    sha256 = serializers.CharField()


class MailEntryOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    sender = serializers.CharField()
    subject = serializers.CharField()
    reply_text = serializers.CharField()
    replied_at = serializers.DateTimeField()
