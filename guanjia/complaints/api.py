"""/api/v1/complaints and /api/v1/incidents (API.md; C01–C20).

Every list starts from what the user may see and every object is fetched through ``access.get_for_user``, so
another project's complaints and incidents answer 404 (O04). Writes go through ``complaints.services``;
serializers only parse types (a bad value is a 400 naming the field), the services decide the rest. A stale
``version`` or a step the complaint's status does not allow answers 409 with the reason.

``customer_count`` of an incident is computed in SQL: distinct archive customers plus distinct contact phones
of callers not in the archive (``incidents.with_customer_count``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
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

from guanjia.accounts.access import get_for_user, scope, staff_visible_q
from guanjia.accounts.models import User
from guanjia.api.fields import BuiltOnceSerializer
from guanjia.api.router import router
from guanjia.cases.models import Deadline, Department
from guanjia.complaints import services
from guanjia.complaints.grading import Grade
from guanjia.complaints.incidents import incident_suggestions, with_customer_count
from guanjia.complaints.models import (
    OPEN_STATUSES,
    Channel,
    Complaint,
    ComplaintStatus,
    Incident,
    Nature,
)
from guanjia.complaints.serializers import (
    AgreeDeadlineSerializer,
    ComplaintAtSerializer,
    ComplaintCompleteSerializer,
    ComplaintCreateSerializer,
    ComplaintDispatchSerializer,
    ComplaintInformSerializer,
    ComplaintNatureSerializer,
    ComplaintNoteSerializer,
    ComplaintReasonSerializer,
    ComplaintReplySerializer,
    ComplaintSerializer,
    ComplaintSignatureOutSerializer,
    ComplaintSignSerializer,
    ComplaintUpdateSerializer,
    GroupMeasureSerializer,
    LinkIncidentSerializer,
    LowerGradeSerializer,
    MailEntryOutSerializer,
    NextReplySerializer,
)
from guanjia.core.api import StrictSerializer, error_responses, post_action, read_body
from guanjia.estates.api import ScopedPrimaryKeyField
from guanjia.estates.filters import IdFilter, ProjectFilter
from guanjia.estates.models import Building, Project

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

    ordering = filters.ChoiceFilter(
        choices=(("due", gettext_lazy("最先到期（仅未完成）")),),
        method="filter_ordering",
        label=gettext_lazy("排序（默认最新登记在前）"),
    )

    class Meta:
        model = Complaint
        fields = ["project", "status", "grade", "nature", "department", "customer", "incident", "open", "ordering"]

    def filter_open(self, queryset: QuerySet[Complaint], name: str, value: str) -> QuerySet[Complaint]:
        if not value:
            return queryset
        condition = Q(status__in=OPEN_STATUSES)
        return queryset.filter(condition) if value == "true" else queryset.exclude(condition)

    def filter_ordering(self, queryset: QuerySet[Complaint], name: str, value: str) -> QuerySet[Complaint]:
        """``due``: the open complaints, what falls due first on top (the board's order, read by its index)."""
        if value != "due":
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES).order_by(
            F("next_due_at").asc(nulls_last=True), "received_at", "id"
        )


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


#: A POST action on one complaint; it answers the complaint unless ``response=`` says otherwise.
_action = partial(
    post_action, response=ComplaintSerializer, conflict=gettext_lazy("投诉已被他人修改，或当前状态不允许此操作")
)


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
        values = read_body(self, ComplaintCreateSerializer)
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
        # The new complaint holds its customer and its limits: answered without reading it back.
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)

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
        changes = read_body(self, ComplaintUpdateSerializer)
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
        values = read_body(self, ComplaintReasonSerializer)
        return self._fresh(services.complaint_mark_mishandled(complaint=complaint, actor=request.user, **values))

    @_action(
        ComplaintReasonSerializer,
        gettext_lazy("不认定处理不当：驳回超时提议，须说明理由 (C11；主管及以上)"),
        "dismiss-proposal",
    )
    def dismiss_proposal(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, ComplaintReasonSerializer)
        return self._fresh(services.complaint_dismiss_proposal(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintCompleteSerializer, gettext_lazy("处理完成 (C15)"), "complete")
    def complete(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, ComplaintCompleteSerializer)
        return self._fresh(services.complaint_complete(complaint=complaint, actor=request.user, **values))

    @_action(AgreeDeadlineSerializer, gettext_lazy("与客户约定处理期限 (C13)"), "agree-deadline")
    def agree_deadline(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, AgreeDeadlineSerializer)
        return self._fresh(services.complaint_agree_deadline(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintDispatchSerializer, gettext_lazy("派单：处理单发送到责任部门"), "dispatch")
    def dispatch_form(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, ComplaintDispatchSerializer)
        assignee = _staff(request, values.pop("assignee", None), "assignee")
        return self._fresh(
            services.complaint_dispatch(complaint=complaint, actor=request.user, assignee=assignee, **values)
        )

    @_action(ComplaintAtSerializer, gettext_lazy("责任部门签收处理单（响应，C13）"), "acknowledge")
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, ComplaintAtSerializer)
        return self._fresh(services.complaint_acknowledge(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintAtSerializer, gettext_lazy("上报对象确认已收到上报 (C13)"), "acknowledge-escalation")
    def acknowledge_escalation(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, ComplaintAtSerializer)
        return self._fresh(services.complaint_acknowledge_escalation(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintNatureSerializer, gettext_lazy("判定投诉性质或提请主管判定 (C04)"), "nature")
    def nature(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, ComplaintNatureSerializer)
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
        values = read_body(self, ComplaintNoteSerializer)
        services.complaint_add_note(complaint=complaint, actor=request.user, **values)
        return self._fresh(complaint, status.HTTP_201_CREATED)

    @_action(NextReplySerializer, gettext_lazy("约定下次回复时间，到时前提醒 (C16)"), "next-reply")
    def next_reply(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, NextReplySerializer)
        return self._fresh(services.complaint_set_next_reply(complaint=complaint, actor=request.user, **values))

    @_action(ComplaintInformSerializer, gettext_lazy("已告知客户处理进展或结果 (C16)"), "inform")
    def inform(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, ComplaintInformSerializer)
        return self._fresh(services.complaint_inform_customer(complaint=complaint, actor=request.user, **values))

    @_action(LowerGradeSerializer, gettext_lazy("降低级别（主管及以上，须说明理由，C10）"), "lower-grade")
    def lower_grade(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, LowerGradeSerializer)
        return self._fresh(services.complaint_lower_grade(complaint=complaint, actor=request.user, **values))

    @_action(LinkIncidentSerializer, gettext_lazy("归入事件（null 移出），全部相关投诉重新定级 (C12)"), "link-incident")
    def link_incident(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, LinkIncidentSerializer)
        return self._fresh(
            services.complaint_link_incident(complaint=complaint, incident=values["incident"], actor=request.user)
        )

    @_action(GroupMeasureSerializer, gettext_lazy("集体投诉：座谈会或公告 (C19)"), "group-measure")
    def group_measure(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        values = read_body(self, GroupMeasureSerializer)
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
        values = read_body(self, ComplaintReplySerializer)
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
        values = read_body(self, ComplaintSignSerializer)
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


class IncidentSerializer(BuiltOnceSerializer[Incident]):
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
