"""/api/v1/return-visits (V01–V07): the planned visits with their due times, roles and results, and the
actions ``record`` (a try at the visit: made, or a phone call that did not reach the customer) and ``review``
(the supervisor's signed decision, V06), scoped to visible projects (O04)."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import get_for_user
from guanjia.api.fields import ModelSerializer as UnsetAsNullModelSerializer
from guanjia.api.router import router
from guanjia.core.api import post_action, read_body
from guanjia.estates.filters import IdFilter, ProjectFilter
from guanjia.repairs.api import StrictSerializer
from guanjia.visits import services
from guanjia.visits.models import Method, Outcome, ReturnVisit, ReviewDecision, VisitStatus
from guanjia.visits.selectors import visits_for


class ReturnVisitFilter(django_filters.FilterSet):
    complaint = IdFilter(method="by_complaint", label=_("投诉"))
    repair = IdFilter(method="by_repair", label=_("报修"))
    status = django_filters.ChoiceFilter(choices=VisitStatus.choices, label=_("状态"))
    project = ProjectFilter()
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lte", label=_("期限早于"))
    mine = django_filters.BooleanFilter(method="by_me", label=_("我的岗位要做的回访"))

    class Meta:
        model = ReturnVisit
        fields = ["complaint", "repair", "status", "project", "due_before", "mine"]

    def _case(self, queryset: QuerySet[ReturnVisit], app: str, model: str, value: int) -> QuerySet[ReturnVisit]:
        ct = ContentType.objects.get_by_natural_key(app, model)
        return queryset.filter(content_type=ct, object_id=value)

    def by_complaint(self, queryset: QuerySet[ReturnVisit], name: str, value: int) -> QuerySet[ReturnVisit]:
        return self._case(queryset, "complaints", "complaint", value)

    def by_repair(self, queryset: QuerySet[ReturnVisit], name: str, value: int) -> QuerySet[ReturnVisit]:
        return self._case(queryset, "repairs", "repair", value)

    def by_me(self, queryset: QuerySet[ReturnVisit], name: str, value: bool | None) -> QuerySet[ReturnVisit]:
        if value is None:
            return queryset
        mine = Q(visitor_role=getattr(self.request.user, "role", "")) & Q(status__in=("planned", "missed"))
        return queryset.filter(mine) if value else queryset.exclude(mine)


class ReturnVisitSerializer(UnsetAsNullModelSerializer[ReturnVisit]):
    case_id = serializers.IntegerField(source="object_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    satisfaction_label = serializers.CharField(
        source="get_satisfaction_display", read_only=True, allow_null=True, help_text=_("未回访时为 null")
    )

    class Meta:
        model = ReturnVisit
        fields = [
            "id",
            "project",
            "case_type",
            "case_id",
            "grade",
            "customer",
            "unit",
            "planned_at",
            "due_at",
            "visitor_role",
            "on_site_required",
            "status",
            "status_label",
            "method",
            "visitor",
            "done_at",
            "satisfaction",
            "satisfaction_label",
            "unsatisfied",
            "quality",
            "effect",
            "shortfalls",
            "suggestions",
            "notes",
            "attempts_count",
            "retry_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "review_decision",
            "reported_to_gm_at",
            "rectification",
            "rectify_by",
            "door_followup_at",
        ]
        read_only_fields = fields


class RecordSerializer(StrictSerializer):
    method = serializers.ChoiceField(choices=Method.choices, label=_("回访方式"))
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, default=Outcome.REACHED, label=_("结果（电话回访）")
    )
    satisfaction = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5, label=_("满意度 1–5")
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    quality = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    effect = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    shortfalls = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    suggestions = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    signature = serializers.CharField(
        required=False, allow_blank=True, help_text=_("上门回访必填：客户签名 data:image/png;base64,…")
    )
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    at = serializers.DateTimeField(required=False, allow_null=True, label=_("回访时间"))
    retry_at = serializers.DateTimeField(required=False, allow_null=True, label=_("再次回访时间"))


class ReviewSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices, label=_("审核结论"))
    comment = serializers.CharField(max_length=2000, label=_("审核意见"))
    rectify_by = serializers.DateTimeField(required=False, allow_null=True, label=_("整改期限"))


@extend_schema_view(
    list=extend_schema(
        summary=_("回访 (V01–V07)"),
        description=_("可按 ?complaint= ?repair= ?status= ?project= ?due_before= ?mine= 筛选"),
    ),
    retrieve=extend_schema(summary=_("一次回访")),
)
class ReturnVisitViewSet(viewsets.ReadOnlyModelViewSet[ReturnVisit]):
    queryset = ReturnVisit.objects.none()
    serializer_class = ReturnVisitSerializer
    filterset_class = ReturnVisitFilter

    def get_queryset(self) -> QuerySet[ReturnVisit]:
        if getattr(self, "swagger_fake_view", False):
            return ReturnVisit.objects.none()
        return visits_for(self.request.user).order_by("due_at", "id")

    def get_object(self) -> ReturnVisit:
        return get_for_user(ReturnVisit.objects.all(), self.request.user, self.kwargs["pk"])

    @post_action(
        RecordSerializer,
        _("记录回访 (V03, V05, V06)"),
        "record",
        response=ReturnVisitSerializer,
        conflict=_("回访已完成或已取消"),
        description=_(
            "method: phone/on_site/other；须上门的回访不接受电话记录。电话未接通（outcome 非 reached）时记一次尝试并"
            "安排再次回访，回访仍为待回访。满意度 ≤ 2 为不满意：报总经理、进入主管审核并登记整改投诉。"
        ),
    )
    def record(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        data = read_body(self, RecordSerializer)
        result = services.VisitResult(**{k: v for k, v in data.items() if v is not None})
        visit = services.return_visit_record(visit=visit, result=result, actor=request.user)
        return Response(ReturnVisitSerializer(visit).data)

    @post_action(
        ReviewSerializer,
        _("主管审核回访记录 (V06)"),
        "review",
        response=ReturnVisitSerializer,
        conflict=_("回访未完成或已审核"),
    )
    def review(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        data = read_body(self, ReviewSerializer)
        visit = services.return_visit_review(visit=visit, actor=request.user, **data)
        return Response(ReturnVisitSerializer(visit).data)


router.register("return-visits", ReturnVisitViewSet, basename="return-visit")
