"""/api/v1/custody-items (the custody ledger, read, and hand-over against proof: F02–F06) and
/api/v1/visitor-passes (a resident's app announces a visitor: F01), scoped to visible projects (O04)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import can_keep_ledgers, get_for_user, scope
from guanjia.api.fields import ModelSerializer as UnsetAsNullModelSerializer
from guanjia.api.router import router
from guanjia.core.api import error_responses
from guanjia.estates.api import ScopedPrimaryKeyField
from guanjia.estates.filters import ProjectFilter
from guanjia.estates.models import Customer, Project, Unit
from guanjia.frontdesk import services
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus, ProofKind, VisitorPass
from guanjia.frontdesk.selectors import custody_items_for, open_q


class CustodyItemFilter(django_filters.FilterSet):
    project = ProjectFilter()
    kind = django_filters.ChoiceFilter(choices=CustodyKind.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(
        choices=[("open", _("在前台或借出未还")), *CustodyStatus.choices], method="by_status", label=_("状态")
    )

    class Meta:
        model = CustodyItem
        fields = ["project", "kind", "status"]

    def by_status(self, queryset: QuerySet[CustodyItem], name: str, value: str) -> QuerySet[CustodyItem]:
        return queryset.filter(open_q()) if value == "open" else queryset.filter(status=value)


class CustodyItemSerializer(UnsetAsNullModelSerializer[CustodyItem]):
    owner = serializers.CharField(source="owner_label", read_only=True)

    class Meta:
        model = CustodyItem
        fields = [
            "id",
            "project",
            "kind",
            "description",
            "tracking_number",
            "owner",
            "owner_unit",
            "owner_customer",
            "shelf",
            "status",
            "received_at",
            "code_sent_at",
            "code_sent_to",
            "handed_over_at",
            "taken_by_name",
            "proof_kind",
            "due_back_at",
            "returned_at",
            "damage_note",
        ]
        read_only_fields = fields


class HandOverSerializer(serializers.Serializer[Any]):
    proof_kind = serializers.ChoiceField(choices=ProofKind.choices)
    proof_value = serializers.CharField(max_length=200, help_text=_("取件码、证件号或后四位、工号、物品特征"))
    taken_by_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    due_back_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(summary=_("寄存/借用台账")),
    retrieve=extend_schema(summary=_("台账条目")),
)
class CustodyItemViewSet(viewsets.ReadOnlyModelViewSet[CustodyItem]):
    serializer_class = CustodyItemSerializer
    filterset_class = CustodyItemFilter

    def get_queryset(self) -> QuerySet[CustodyItem]:
        return custody_items_for(self.request.user)

    @extend_schema(
        request=HandOverSerializer,
        responses={200: CustodyItemSerializer, **error_responses(_("已交付，不能重复交付"))},
        summary=_("交付（凭证核对，只能交付一次）"),
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str | None = None) -> Response:
        item = get_for_user(CustodyItem.objects.all(), request.user, pk)
        if not can_keep_ledgers(request.user, item.project_id):
            raise PermissionDenied(_("您的岗位无权执行此操作。"))
        body = HandOverSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.custody_hand_over(item=item, actor=request.user, **body.validated_data)  # type: ignore[arg-type]
        return Response(CustodyItemSerializer(item).data)


class VisitorPassSerializer(UnsetAsNullModelSerializer[VisitorPass]):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all(), project_field="id")
    unit = ScopedPrimaryKeyField(queryset=Unit.objects.all())
    customer = ScopedPrimaryKeyField(queryset=Customer.objects.all(), required=False, allow_null=True)
    code = serializers.SerializerMethodField(help_text=_("通行码：只在创建时返回一次"))

    class Meta:
        model = VisitorPass
        fields = ["id", "project", "unit", "customer", "visitor_name", "valid_on", "used_at", "created_at", "code"]
        read_only_fields = ["id", "used_at", "created_at", "code"]

    def get_code(self, obj: VisitorPass) -> str | None:
        return self.context.get("code")


@extend_schema_view(
    list=extend_schema(summary=_("访客预约")), create=extend_schema(summary=_("预约访客（返回通行码）"))
)
class VisitorPassViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet[VisitorPass]):
    serializer_class = VisitorPassSerializer

    def get_queryset(self) -> QuerySet[VisitorPass]:
        return scope(VisitorPass.objects.all(), self.request.user).order_by("-valid_on", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        issued = services.visitor_pass_create(
            project=data["project"],
            unit=data["unit"],
            customer=data.get("customer"),
            visitor_name=data["visitor_name"],
            valid_on=data["valid_on"],
            actor=request.user,  # type: ignore[arg-type]
        )
        out = VisitorPassSerializer(issued.obj, context={"request": request, "code": issued.code})
        return Response(out.data, status=status.HTTP_201_CREATED)


router.register("custody-items", CustodyItemViewSet, basename="custody-item")
router.register("visitor-passes", VisitorPassViewSet, basename="visitor-pass")
