"""/api/v1/complaints and /api/v1/incidents (API.md; C01–C20).

Every list starts from what the user may see and every object is fetched through ``access.get_for_user``, so
another project's complaints and incidents answer 404 (O04). Writes go through ``complaints.services``;
serializers only parse types (a bad value is a 400 naming the field), the services decide the rest. A stale
``version`` or a step the complaint's status does not allow answers 409 with the reason.

``customer_count`` of an incident is computed in SQL: distinct archive customers plus distinct contact phones
of callers not in the archive (``incidents.with_customer_count``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import get_for_user, mask_phone, scope, staff_visible_q
from guanjia.accounts.models import User
from guanjia.api.fields import ModelSerializer as UnsetAsNullModelSerializer
from guanjia.api.router import router
from guanjia.cases.models import Deadline, DeadlineState, Department
from guanjia.cases.uploads import SIGNATURE_MAX_BYTES
from guanjia.complaints import services
from guanjia.complaints.grading import Grade, Injury
from guanjia.complaints.incidents import incident_suggestions, with_customer_count
from guanjia.complaints.models import (
    OPEN_STATUSES,
    Channel,
    Complaint,
    ComplaintStatus,
    GroupMeasure,
    Incident,
    InformMethod,
    Nature,
)
from guanjia.complaints.proposals import open_proposals
from guanjia.core.api import StrictSerializer, VersionField, error_responses
from guanjia.estates.api import ScopedPrimaryKeyField
from guanjia.estates.filters import IdFilter, ProjectFilter
from guanjia.estates.models import Building, Customer, Project, Unit

TEXT_MAX = services.TEXT_MAX


# --- serializers: out ----------------------------------------------------------------------------------------


class ComplaintDeadlineSerializer(serializers.ModelSerializer[Deadline]):
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
    contact_phone = serializers.SerializerMethodField(help_text=gettext_lazy("已脱敏"))
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
            "deadlines",
            "mishandling_proposal",
            "version",
        ]
        read_only_fields = fields

    def get_contact_phone(self, complaint: Complaint) -> str:
        return mask_phone(complaint.contact_phone) if complaint.contact_phone else ""

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

    def get_deadlines(self, complaint: Complaint) -> list[dict[str, Any]]:
        return list(ComplaintDeadlineSerializer(complaint.deadlines.all(), many=True).data)

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


# --- filters ---------------------------------------------------------------------------------------------------


class ComplaintFilter(filters.FilterSet):
    project = ProjectFilter()
    status = filters.ChoiceFilter(choices=ComplaintStatus.choices, label=gettext_lazy("状态"))
    grade = filters.ChoiceFilter(choices=Grade.choices, label=gettext_lazy("投诉级别"))
    nature = filters.ChoiceFilter(choices=Nature.choices, label=gettext_lazy("投诉性质"))
    department = filters.ChoiceFilter(choices=Department.choices, label=gettext_lazy("责任部门"))
    against_department = filters.ChoiceFilter(choices=Department.choices, label=gettext_lazy("被投诉部门"))
    channel = filters.ChoiceFilter(choices=Channel.choices, label=gettext_lazy("投诉方式"))
    customer = IdFilter(field_name="customer_id", label=gettext_lazy("客户"))
    incident = IdFilter(field_name="incident_id", label=gettext_lazy("事件"))
    assignee = IdFilter(field_name="assignee_id", label=gettext_lazy("处理人"))
    open = filters.ChoiceFilter(
        choices=(("true", gettext_lazy("未完成")), ("false", gettext_lazy("已完成"))),
        method="filter_open",
        label=gettext_lazy("未完成"),
    )

    class Meta:
        model = Complaint
        fields = ["project", "status", "grade", "nature", "department", "customer", "incident", "open"]

    def filter_open(self, queryset: QuerySet[Complaint], name: str, value: str) -> QuerySet[Complaint]:
        if not value:
            return queryset
        condition = Q(status__in=OPEN_STATUSES)
        return queryset.filter(condition) if value == "true" else queryset.exclude(condition)


class IncidentFilter(filters.FilterSet):
    project = ProjectFilter()
    building = IdFilter(field_name="building_id", label=gettext_lazy("楼栋"))

    class Meta:
        model = Incident
        fields = ["project", "building"]


# --- complaints ------------------------------------------------------------------------------------------------


def _staff(request: Request, pk: int | None, field: str) -> User | None:
    """A member of staff the requesting user may see, or a 400 naming ``field``."""
    if pk is None:
        return None
    user = User.objects.filter(staff_visible_q(request.user)).filter(pk=pk, is_active=True).distinct().first()
    if user is None:
        raise ValidationError({field: [_("该人员不存在或不在本项目")]})
    return user


def _action(serializer: type[serializers.Serializer[Any]], summary: Any, path: str, **kw: Any) -> Any:
    """A POST action on one complaint, documented with its body and its 4xx answers."""
    schema = extend_schema(
        summary=summary,
        request=serializer,
        responses={
            kw.pop("code", 200): kw.pop("response", ComplaintSerializer),
            **error_responses(gettext_lazy("投诉已被他人修改，或当前状态不允许此操作")),
        },
    )

    def decorate(func: Any) -> Any:
        return schema(
            action(detail=True, methods=["post"], url_path=path, filterset_class=None, pagination_class=None)(func)
        )

    return decorate


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("投诉列表（可见项目）")),
    retrieve=extend_schema(summary=gettext_lazy("一条投诉：事实、级别及依据、时限")),
)
class ComplaintViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Complaint]
):
    queryset = Complaint.objects.none()
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter

    def base_queryset(self) -> QuerySet[Complaint]:
        return Complaint.objects.select_related("customer").prefetch_related(
            Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at", "id"))
        )

    def get_queryset(self) -> QuerySet[Complaint]:
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return scope(self.base_queryset(), self.request.user).order_by("-received_at", "-id")

    def get_object(self) -> Complaint:
        return get_for_user(Complaint.objects.select_related("project"), self.request.user, self.kwargs["pk"])

    def _fresh(self, complaint: Complaint, code: int = status.HTTP_200_OK) -> Response:
        return Response(ComplaintSerializer(self.base_queryset().get(pk=complaint.pk)).data, status=code)

    def _valid(self, serializer: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        data = serializer(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(
        summary=gettext_lazy("登记投诉 (C01–C03)"),
        description=gettext_lazy(
            "received_at 可早于当前（事后补录纸质单，时限从受理时间起算；各时限按所记录步骤的时间判定，"
            "步骤时间在期限之前即为按时，已过且无按时步骤的时限记为超时但不提醒），不能晚于当前。"
        ),
        request=ComplaintCreateSerializer,
        responses={201: ComplaintSerializer, **error_responses()},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self._valid(ComplaintCreateSerializer)
        facts = {name: values.pop(name) for name in services.GRADE_FACTS if name in values}
        mail = values.pop("mail", None)
        responder = _staff(request, values.pop("first_responder", None), "first_responder")
        complaint = services.complaint_register(
            actor=request.user,
            facts=facts,
            mail=mail,
            first_responder=responder,
            **values,
        )
        return self._fresh(complaint, status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("修改事实并重新定级 (C10)"),
        request=ComplaintUpdateSerializer,
        responses={
            200: ComplaintSerializer,
            **error_responses(gettext_lazy("投诉已被他人修改，请刷新后再试")),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        changes = self._valid(ComplaintUpdateSerializer)
        version = changes.pop("version")
        reason = changes.pop("reason", "")
        complaint = services.complaint_update_facts(
            complaint=complaint, version=version, changes=changes, actor=request.user, reason=reason
        )
        return self._fresh(complaint)

    @_action(
        ComplaintReasonSerializer,
        gettext_lazy("认定处理不当（或接受超时提议），升级一级 (C11；主管及以上)"),
        "mishandled",
    )
    def mishandled(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintReasonSerializer)
        return self._fresh(services.complaint_mark_mishandled(complaint=complaint, actor=request.user, **values))

    @_action(
        ComplaintReasonSerializer,
        gettext_lazy("不认定处理不当：驳回超时提议，须说明理由 (C11；主管及以上)"),
        "dismiss-proposal",
    )
    def dismiss_proposal(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintReasonSerializer)
        return self._fresh(services.complaint_dismiss_proposal(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintCompleteSerializer, gettext_lazy("处理完成 (C15)"), "complete")
    def complete(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintCompleteSerializer)
        return self._fresh(services.complaint_complete(complaint=complaint, actor=request.user, **values))

    @_action(AgreeDeadlineSerializer, gettext_lazy("与客户约定处理期限 (C13)"), "agree-deadline")
    def agree_deadline(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(AgreeDeadlineSerializer)
        return self._fresh(services.complaint_agree_deadline(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintDispatchSerializer, gettext_lazy("派单：处理单发送到责任部门"), "dispatch")
    def dispatch_form(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintDispatchSerializer)
        assignee = _staff(request, values.pop("assignee", None), "assignee")
        return self._fresh(
            services.complaint_dispatch(complaint=complaint, actor=request.user, assignee=assignee, **values)
        )

    @_action(ComplaintAtSerializer, gettext_lazy("责任部门签收处理单（响应，C13）"), "acknowledge")
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintAtSerializer)
        return self._fresh(services.complaint_acknowledge(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintAtSerializer, gettext_lazy("上报对象确认已收到上报 (C13)"), "acknowledge-escalation")
    def acknowledge_escalation(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintAtSerializer)
        return self._fresh(services.complaint_acknowledge_escalation(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintNatureSerializer, gettext_lazy("判定投诉性质或提请主管判定 (C04)"), "nature")
    def nature(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintNatureSerializer)
        if not values.get("refer") and not values.get("nature"):
            raise ValidationError({"nature": [_("请选择有效投诉或无效投诉")]})
        return self._fresh(
            services.complaint_set_nature(
                complaint=complaint,
                actor=request.user,
                nature=values.get("nature", ""),
                reason=values.get("reason", ""),
                refer=values.get("refer", False),
            )
        )

    @_action(ComplaintNoteSerializer, gettext_lazy("处理过程记录 (C15)"), "note", code=201)
    def note(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintNoteSerializer)
        services.complaint_add_note(complaint=complaint, actor=request.user, **values)
        return self._fresh(complaint, status.HTTP_201_CREATED)

    @_action(NextReplySerializer, gettext_lazy("约定下次回复时间，到时前提醒 (C16)"), "next-reply")
    def next_reply(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(NextReplySerializer)
        return self._fresh(services.complaint_set_next_reply(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintInformSerializer, gettext_lazy("已告知客户处理进展或结果 (C16)"), "inform")
    def inform(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintInformSerializer)
        return self._fresh(services.complaint_inform_customer(complaint=complaint, actor=request.user, **values))

    @_action(LowerGradeSerializer, gettext_lazy("降低级别（主管及以上，须说明理由，C10）"), "lower-grade")
    def lower_grade(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(LowerGradeSerializer)
        return self._fresh(services.complaint_lower_grade(complaint=complaint, actor=request.user, **values))

    @_action(LinkIncidentSerializer, gettext_lazy("归入事件（null 移出），全部相关投诉重新定级 (C12)"), "link-incident")
    def link_incident(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(LinkIncidentSerializer)
        return self._fresh(
            services.complaint_link_incident(complaint=complaint, incident=values["incident"], actor=request.user)
        )

    @_action(GroupMeasureSerializer, gettext_lazy("集体投诉：座谈会或公告 (C19)"), "group-measure")
    def group_measure(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(GroupMeasureSerializer)
        if values.get("at") is None:
            raise ValidationError({"at": [_("请填写座谈/公告时间")]})
        return self._fresh(services.complaint_record_group_measure(complaint=complaint, actor=request.user, **values))

    @_action(
        ComplaintReplySerializer,
        gettext_lazy("书面回复书面投诉 (C17)"),
        "reply-in-writing",
        response=MailEntryOutSerializer,
    )
    def reply_in_writing(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintReplySerializer)
        entry = services.complaint_reply_in_writing(complaint=complaint, actor=request.user, **values)
        return Response(
            {
                "id": entry.pk,
                "sender": entry.sender,
                "subject": entry.subject,
                "reply_text": entry.reply_text,
                "replied_at": timezone.localtime(entry.replied_at).isoformat() if entry.replied_at else None,
            }
        )

    @_action(
        ComplaintSignSerializer,
        gettext_lazy("客户在意见受理表上签名 (C20)"),
        "sign",
        code=201,
        response=ComplaintSignatureOutSerializer,
    )
    def sign(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = self._valid(ComplaintSignSerializer)
        signature = services.complaint_sign(complaint=complaint, actor=request.user, **values)
        return Response(
            {
                "id": signature.pk,
                "signer_name": signature.signer_name,
                "signed_at": serializers.DateTimeField().to_representation(signature.signed_at),
                "sha256": signature.sha256,
            },
            status=status.HTTP_201_CREATED,
        )


# --- incidents -------------------------------------------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    customer_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("投诉客户数（去重）"))
    complaints = serializers.SerializerMethodField(help_text=gettext_lazy("投诉 id"))

    class Meta:
        model = Incident
        fields = [
            "id",
            "project",
            "title",
            "building",
            "location",
            "occurred_at",
            "created_at",
            "customer_count",
            "complaints",
        ]
        read_only_fields = fields

    def get_complaints(self, incident: Incident) -> list[int]:
        return [c.pk for c in incident.complaints.all()]


class IncidentCreateSerializer(StrictSerializer):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all(), project_field="id", label=gettext_lazy("项目"))
    title = serializers.CharField(max_length=100, label=gettext_lazy("事件名称"))
    building = ScopedPrimaryKeyField(
        queryset=Building.objects.all(), required=False, allow_null=True, label=gettext_lazy("楼栋")
    )
    location = serializers.CharField(required=False, allow_blank=True, max_length=100, label=gettext_lazy("地点/设施"))
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("发生时间"))
    complaints = ScopedPrimaryKeyField(
        queryset=Complaint.objects.all(), many=True, required=False, label=gettext_lazy("投诉")
    )


class SuggestionQuerySerializer(serializers.Serializer[Any]):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all(), project_field="id", label=gettext_lazy("项目"))
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX, label=gettext_lazy("投诉内容"))
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, label=gettext_lazy("地点"))
    building = ScopedPrimaryKeyField(
        queryset=Building.objects.all(), required=False, allow_null=True, label=gettext_lazy("楼栋")
    )


class IncidentSuggestionSerializer(serializers.Serializer[Any]):
    incident = IncidentSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("投诉事件列表 (C12)")),
    retrieve=extend_schema(summary=gettext_lazy("一个投诉事件及其客户数")),
)
class IncidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Incident]
):
    queryset = Incident.objects.none()
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter

    def base_queryset(self) -> QuerySet[Incident]:
        members = Prefetch("complaints", queryset=Complaint.objects.only("id", "incident_id").order_by("id"))
        return with_customer_count(Incident.objects.all()).prefetch_related(members)

    def get_queryset(self) -> QuerySet[Incident]:
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return scope(self.base_queryset(), self.request.user).order_by("-created_at", "-id")

    def get_object(self) -> Incident:
        return get_for_user(self.base_queryset(), self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary=gettext_lazy("建立投诉事件并归入投诉 (C12)"),
        request=IncidentCreateSerializer,
        responses={201: IncidentSerializer, **error_responses()},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = IncidentCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        incident = services.incident_create(actor=request.user, complaints=values.pop("complaints", ()), **values)
        return Response(IncidentSerializer(self.base_queryset().get(pk=incident.pk)).data, status=201)

    @extend_schema(
        summary=gettext_lazy("登记投诉时可能相关的事件 (C12)"),
        parameters=[
            OpenApiParameter("project", int, required=True),
            OpenApiParameter("description", str, required=True),
            OpenApiParameter("location", str),
            OpenApiParameter("building", int),
        ],
        responses={200: IncidentSuggestionSerializer(many=True), 400: OpenApiResponse(description="字段错误")},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def suggestions(self, request: Request) -> Response:
        query = SuggestionQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        found = incident_suggestions(
            project=values["project"],
            description=values["description"],
            location=values.get("location", ""),
            building=values.get("building"),
        )
        fresh = {i.pk: i for i in self.base_queryset().filter(pk__in=[i.pk for i, _m in found])}
        return Response(
            [
                {"incident": IncidentSerializer(fresh[i.pk]).data, "score": m.score, "reasons": list(m.reasons)}
                for i, m in found
            ]
        )


router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("incidents", IncidentViewSet, basename="incident")
