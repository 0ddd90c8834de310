"""/api/v1/follow-up-calls (list, read, record a call: T02, T03) and /api/v1/leads (list, create, read, record
a contact: T06), scoped to visible projects (O04). A call centre's phone system records calls through here."""

from __future__ import annotations

from typing import Any, TypeVar

import django_filters
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import can_follow_up, get_for_user
from guanjia.api.fields import ModelSerializer as UnsetAsNullModelSerializer
from guanjia.api.router import router
from guanjia.core.api import error_responses, post_action, read_body
from guanjia.estates.api import MaskedPhoneField, ScopedPrimaryKeyField
from guanjia.estates.filters import ProjectFilter
from guanjia.estates.models import Project
from guanjia.followup import selectors, services
from guanjia.followup.models import (
    CallOutcome,
    CallPurpose,
    CallStatus,
    FollowUpCall,
    IssueKind,
    Lead,
    LeadChannel,
    LeadContact,
    LeadGrade,
    LeadStatus,
)

M = TypeVar("M", FollowUpCall, Lead)


def _to_follow_up(queryset: QuerySet[M], request: Request, pk: str | None) -> M:
    """An object of a project the user may see (else 404) and follow up on (else 403)."""
    found = get_for_user(queryset, request.user, pk)
    if not can_follow_up(request.user, found.project_id):
        raise PermissionDenied(_("您的岗位无权执行此操作。"))
    return found


class FollowUpCallFilter(django_filters.FilterSet):
    project = ProjectFilter()
    status = django_filters.ChoiceFilter(choices=CallStatus.choices, label=_("状态"))
    purpose = django_filters.ChoiceFilter(choices=CallPurpose.choices, label=_("类别"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("客户"))
    mine = django_filters.BooleanFilter(method="by_me", label=_("只看我的"))
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lte", label=_("期限不晚于"))

    class Meta:
        model = FollowUpCall
        fields = ["project", "status", "purpose", "customer", "mine", "due_before"]

    def by_me(self, queryset: QuerySet[FollowUpCall], name: str, value: bool) -> QuerySet[FollowUpCall]:
        return queryset.filter(assignee=self.request.user) if value else queryset


class FollowUpCallSerializer(UnsetAsNullModelSerializer[FollowUpCall]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    assignee_name = serializers.CharField(source="assignee.display_name", read_only=True)
    serviced = serializers.CharField(source="plan.serviced", read_only=True, default="")

    class Meta:
        model = FollowUpCall
        fields = [
            "id",
            "project",
            "customer",
            "customer_name",
            "purpose",
            "plan",
            "activity",
            "serviced",
            "position",
            "label",
            "not_before",
            "due_at",
            "assignee",
            "assignee_name",
            "status",
            "attempts",
            "last_outcome",
            "called_at",
            "notes",
            "raised",
            "letter_due_at",
            "version",
        ]
        read_only_fields = fields


class CallRecordSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, help_text=_("读取时的版本号；已被他人修改时返回 409"))
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    raised = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    raised_kind = serializers.ChoiceField(choices=IssueKind.choices, required=False, default=IssueKind.REQUEST)
    answer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("当场答复的内容；留空则 2 天内处理或上报"),
    )
    at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text=_("通话时间，默认现在"))


@extend_schema_view(
    list=extend_schema(summary=_("跟踪服务电话（按期限排列）")),
    retrieve=extend_schema(summary=_("一通跟踪服务电话")),
)
class FollowUpCallViewSet(viewsets.ReadOnlyModelViewSet[FollowUpCall]):
    serializer_class = FollowUpCallSerializer
    filterset_class = FollowUpCallFilter

    def get_queryset(self) -> QuerySet[FollowUpCall]:
        return selectors.calls_for(self.request.user).order_by("due_at", "id")

    @post_action(
        CallRecordSerializer,
        _("记录通话（T03）"),
        "record",
        response=FollowUpCallSerializer,
        conflict=_("已记录过，或已被他人修改"),
    )
    def record(self, request: Request, pk: str | None = None) -> Response:
        call = _to_follow_up(FollowUpCall._default_manager.all(), request, pk)
        values = read_body(self, CallRecordSerializer)
        call = services.call_record(call=call, actor=request.user, **values)  # type: ignore[arg-type]
        return Response(FollowUpCallSerializer(self.get_queryset().get(pk=call.pk)).data)


class LeadFilter(django_filters.FilterSet):
    project = ProjectFilter()
    grade = django_filters.ChoiceFilter(choices=LeadGrade.choices, label=_("等级"))
    status = django_filters.ChoiceFilter(choices=LeadStatus.choices, label=_("状态"))

    class Meta:
        model = Lead
        fields = ["project", "grade", "status"]


class LeadSerializer(UnsetAsNullModelSerializer[Lead]):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all(), project_field="id")
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    phone = serializers.CharField(max_length=20, write_only=True)
    phone_masked = MaskedPhoneField(source="phone")

    class Meta:
        model = Lead
        fields = [
            "id",
            "project",
            "name",
            "phone",
            "phone_masked",
            "source",
            "needs",
            "reason",
            "grade",
            "grade_label",
            "status",
            "owner",
            "owner_name",
            "last_contact_at",
            "next_due_at",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "status", "owner", "last_contact_at", "next_due_at", "created_at", "version"]


class LeadContactSerializer(UnsetAsNullModelSerializer[LeadContact]):
    version = serializers.IntegerField(min_value=1, write_only=True, help_text=_("读取时的版本号"))
    grade = serializers.ChoiceField(choices=LeadGrade.choices, required=False, write_only=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False, write_only=True)
    # Named apart from the complaints' ``channel`` so each keeps its own enum in the schema.
    contact_channel = serializers.ChoiceField(
        source="channel", choices=LeadChannel.choices, required=False, default=LeadChannel.PHONE
    )

    class Meta:
        model = LeadContact
        fields = [
            "id",
            "at",
            "contact_channel",
            "notes",
            "grade_before",
            "grade_after",
            "by",
            "version",
            "grade",
            "status",
        ]
        read_only_fields = ["id", "grade_before", "grade_after", "by"]
        extra_kwargs = {"at": {"required": False}}


@extend_schema_view(
    list=extend_schema(summary=_("意向客户（按下次跟进时间排列）")),
    retrieve=extend_schema(summary=_("意向客户")),
    create=extend_schema(summary=_("登记意向客户（T06）"), responses={201: LeadSerializer, **error_responses()}),
)
class LeadViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Lead]):
    serializer_class = LeadSerializer
    filterset_class = LeadFilter

    def get_queryset(self) -> QuerySet[Lead]:
        return selectors.leads_for(self.request.user).order_by(F("next_due_at").asc(nulls_last=True), "id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        lead = services.lead_create(
            project=data["project"],
            name=data["name"],
            phone=data["phone"],
            grade=data["grade"],
            source=data.get("source", ""),
            needs=data.get("needs", ""),
            reason=data.get("reason", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(LeadSerializer(lead, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @post_action(
        LeadContactSerializer,
        _("记录一次追踪（T06）"),
        "contacts",
        response=LeadContactSerializer,
        code=201,
        conflict=_("已结束追踪，或已被他人修改"),
    )
    def contacts(self, request: Request, pk: str | None = None) -> Response:
        lead = _to_follow_up(Lead._default_manager.all(), request, pk)
        data = read_body(self, LeadContactSerializer)
        contact = services.lead_contact_add(
            lead=lead,
            actor=request.user,  # type: ignore[arg-type]
            version=data["version"],
            notes=data["notes"],
            grade=data.get("grade"),
            channel=data.get("channel", "phone"),
            status=data.get("status", LeadStatus.OPEN),
            at=data.get("at"),
        )
        return Response(LeadContactSerializer(contact).data, status=status.HTTP_201_CREATED)


router.register("follow-up-calls", FollowUpCallViewSet, basename="follow-up-call")
router.register("leads", LeadViewSet, basename="lead")
