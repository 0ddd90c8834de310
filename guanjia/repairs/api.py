"""/api/v1/price-items (the repair price list, 维修项目收费标准, read-only) and /api/v1/repairs (work orders,
R01–R13: create, read, and the actions notify-department, assess, consent, accept, arrive, complete), scoped to
visible projects (O04). Every action may carry ``version`` (the value last read): a stale one answers 409."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import get_for_user, scope
from guanjia.accounts.models import User
from guanjia.api.fields import BuiltOnceSerializer
from guanjia.api.fields import ModelSerializer as UnsetAsNullModelSerializer
from guanjia.api.router import router
from guanjia.cases.models import Department
from guanjia.core.api import StrictSerializer, VersionField, error_responses, post_action, read_body
from guanjia.core.errors import ConflictError
from guanjia.estates.api import MaskedPhoneField, ScopedPrimaryKeyField
from guanjia.estates.filters import IdFilter, ProjectFilter
from guanjia.estates.models import Customer, Project, Unit
from guanjia.repairs import services
from guanjia.repairs.models import (
    LineKind,
    PaymentMethod,
    PriceCategory,
    PriceItem,
    Repair,
    RepairLine,
    RepairSource,
    RepairStatus,
)


class PriceItemFilter(django_filters.FilterSet):
    # Another project's id is "not a valid choice" (400), the same answer as an id that does not exist.
    project = ProjectFilter()
    active = django_filters.BooleanFilter(label=_("启用"), widget=forms.NullBooleanSelect)
    category = django_filters.ChoiceFilter(choices=PriceCategory.choices, label=_("类别"))
    q = django_filters.CharFilter(method="search", label=_("搜索名称或编号"), max_length=50)

    class Meta:
        model = PriceItem
        fields = ["project", "active", "category", "q"]

    def search(self, queryset: QuerySet[PriceItem], name: str, value: str) -> QuerySet[PriceItem]:
        term = value.strip()
        return queryset.filter(Q(name__icontains=term) | Q(code__icontains=term)) if term else queryset


class PriceItemSerializer(BuiltOnceSerializer[PriceItem]):
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = PriceItem
        fields = [
            "id",
            "project",
            "code",
            "name",
            "category",
            "category_label",
            "unit",
            "fee_yuan",
            "labour_note",
            "active",
            "version",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("维修项目收费标准 (R03–R05)"), description=_("可按 ?project= ?active= ?category= ?q= 筛选")
    ),
    retrieve=extend_schema(summary=_("一个维修收费项目")),
)
class PriceItemViewSet(viewsets.ReadOnlyModelViewSet[PriceItem]):
    queryset = PriceItem.objects.none()
    serializer_class = PriceItemSerializer
    filterset_class = PriceItemFilter

    def get_queryset(self) -> QuerySet[PriceItem]:
        if getattr(self, "swagger_fake_view", False):
            return PriceItem.objects.none()
        return scope(PriceItem.objects.all(), self.request.user).order_by("project_id", "category", "code", "id")

    def get_object(self) -> PriceItem:
        return get_for_user(PriceItem.objects.all(), self.request.user, self.kwargs["pk"])


router.register("price-items", PriceItemViewSet, basename="price-item")


# --- repairs ---------------------------------------------------------------------------------------------------


class RepairLineSerializer(BuiltOnceSerializer[RepairLine]):
    fee_yuan = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = RepairLine
        fields = ["price_item", "name", "quantity", "unit_fee_yuan", "fee_yuan"]
        read_only_fields = fields


class RepairSerializer(UnsetAsNullModelSerializer[Repair]):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    contact_phone = MaskedPhoneField()
    reported_items = serializers.SerializerMethodField()
    actual_items = serializers.SerializerMethodField()

    class Meta:
        model = Repair
        fields = [
            "id",
            "number",
            "project",
            "unit",
            "customer",
            "customer_name",
            "contact_phone",
            "source",
            "description",
            "location",
            "price_item",
            "urgent",
            "appointment_at",
            "status",
            "status_label",
            "received_at",
            "order_due_at",
            "assess_due_at",
            "arrive_due_at",
            "ordered_at",
            "notified_at",
            "assignee",
            "accepted_at",
            "arrived_at",
            "completed_at",
            "returned_at",
            "assessed_at",
            "feasible",
            "assessment",
            "quoted_fee_yuan",
            "consent_at",
            "reported_items",
            "actual_items",
            "fee_yuan",
            "payment_method",
            "customer_signed",
            "warranty",
            "contractor",
            "version",
        ]
        read_only_fields = fields

    def _lines(self, repair: Repair, kind: str) -> list[dict[str, Any]]:
        rows = [ln for ln in repair.lines.all() if ln.kind == kind]
        return list(RepairLineSerializer(rows, many=True).data)

    @extend_schema_field(RepairLineSerializer(many=True))
    def get_reported_items(self, repair: Repair) -> list[dict[str, Any]]:
        return self._lines(repair, LineKind.REPORTED)

    @extend_schema_field(RepairLineSerializer(many=True))
    def get_actual_items(self, repair: Repair) -> list[dict[str, Any]]:
        return self._lines(repair, LineKind.ACTUAL)


class RepairCreateSerializer(StrictSerializer):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all(), project_field="id", label=_("项目"))
    unit = ScopedPrimaryKeyField(queryset=Unit.objects.all(), required=False, allow_null=True, label=_("房屋"))
    customer = ScopedPrimaryKeyField(queryset=Customer.objects.all(), required=False, allow_null=True, label=_("客户"))
    customer_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    received_at = serializers.DateTimeField(required=False, allow_null=True, label=_("受理时间"))
    description = serializers.CharField(max_length=2000, label=_("报修内容"))
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    price_item = ScopedPrimaryKeyField(
        queryset=PriceItem.objects.all(), required=False, allow_null=True, label=_("标准项目")
    )
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None, label=_("即时维修"))
    appointment_at = serializers.DateTimeField(required=False, allow_null=True, label=_("预约时间"))
    source = serializers.ChoiceField(choices=RepairSource.choices, required=False, default=RepairSource.RESIDENT)  # type: ignore[assignment]
    department = serializers.ChoiceField(choices=Department.choices, required=False, default=Department.ENGINEERING)
    warranty = serializers.BooleanField(required=False, default=False)
    contractor = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contractor_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)


class AtSerializer(StrictSerializer):
    at = serializers.DateTimeField(required=False, allow_null=True, label=_("发生时间，默认现在，不能晚于现在"))
    version = VersionField(required=False, label=_("版本号"))


class AssessSerializer(AtSerializer):
    feasible = serializers.BooleanField(label=_("可以维修"))
    fee_yuan = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        label=_("报价(元)"),
        help_text=_("可以维修时必填"),
    )
    note = serializers.CharField(max_length=2000, label=_("评估意见"))


class ConsentSerializer(AtSerializer):
    agreed = serializers.BooleanField(label=_("客户同意收费"))
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, label=_("客户不同意的原因"), help_text=_("不同意时必填")
    )


class AcceptSerializer(AtSerializer):
    technician = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), label=_("维修人员"))


class CompleteSerializer(AtSerializer):
    actual_items = serializers.JSONField(
        required=False,
        label=_("实际项目"),
        help_text=_('收费项目编号列表，或 [{"price_item": id, "quantity": n}, {"name", "fee_yuan", "quantity"}]'),
    )
    fee_yuan = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=Decimal(0), label=_("收费(元)"))
    customer_signed = serializers.BooleanField(label=_("客户已签字确认"))
    completed_at = serializers.DateTimeField(required=False, allow_null=True, label=_("完成时间"))
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False, allow_blank=True)
    difference_note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class RepairFilter(django_filters.FilterSet):
    project = ProjectFilter()
    status = django_filters.ChoiceFilter(choices=RepairStatus.choices, label=_("状态"))
    assignee = IdFilter(field_name="assignee_id", label=_("维修人员"))
    customer = IdFilter(field_name="customer_id", label=_("客户"))

    class Meta:
        model = Repair
        fields = ["project", "status", "assignee", "customer"]


@contextmanager
def _fields_renamed(names: dict[str, str]) -> Iterator[None]:
    """A service's field error under the name the API body uses (``assessment`` → ``note``)."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from exc


#: A POST action on one work order; it answers the order.
_repair_action = partial(
    post_action, response=RepairSerializer, conflict=_("报修单已被他人修改，或当前状态不允许此操作")
)


@extend_schema_view(
    list=extend_schema(summary=_("报修列表（可见项目）"), description=_("可按 ?project= ?status= ?assignee= 筛选")),
    retrieve=extend_schema(summary=_("一张派工单：状态、时限、报修与实际项目")),
)
class RepairViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Repair]
):
    queryset = Repair.objects.none()
    serializer_class = RepairSerializer
    filterset_class = RepairFilter

    def get_queryset(self) -> QuerySet[Repair]:
        if getattr(self, "swagger_fake_view", False):
            return Repair.objects.none()
        return scope(Repair.objects.prefetch_related("lines"), self.request.user).order_by("-received_at", "-id")

    def get_object(self) -> Repair:
        return get_for_user(
            Repair.objects.select_related("project", "price_item"), self.request.user, self.kwargs["pk"]
        )

    def _fresh(self, repair: Repair, code: int = status.HTTP_200_OK) -> Response:
        return Response(RepairSerializer(Repair.objects.prefetch_related("lines").get(pk=repair.pk)).data, status=code)

    def _action_values(self, serializer: type[serializers.Serializer[Any]], repair: Repair) -> dict[str, Any]:
        """The body of an action; a ``version`` other than the order's (someone changed it since) is a 409."""
        values = read_body(self, serializer)
        version = values.pop("version", None)
        if version is not None and version != repair.version:
            raise ConflictError(_("报修单已被他人修改，请刷新后再试。"))
        return values

    @_repair_action(
        AtSerializer,
        _("开派工单并通知部门领单 (R02；非标准项目自此起算 15 分钟评估时限 R05)"),
        "notify-department",
    )
    def notify_department(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        values = self._action_values(AtSerializer, repair)
        return self._fresh(services.repair_order_and_notify(repair=repair, actor=request.user, **values))

    @_repair_action(AssessSerializer, _("部门主管评估非标准项目的可行性与费用 (R05)"), "assess")
    def assess(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        values = self._action_values(AssessSerializer, repair)
        with _fields_renamed({"assessment": "note", "quoted_fee_yuan": "fee_yuan"}):
            services.repair_assess(
                repair=repair,
                actor=request.user,
                feasible=values["feasible"],
                assessment=values["note"],
                quoted_fee_yuan=values.get("fee_yuan"),
                at=values.get("at"),
            )
        return self._fresh(repair)

    @_repair_action(ConsentSerializer, _("客户对报价的答复：同意收费，或不同意并说明原因 (R05)"), "consent")
    def consent(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        values = self._action_values(ConsentSerializer, repair)
        return self._fresh(
            services.repair_record_consent(
                repair=repair,
                actor=request.user,
                agreed=values["agreed"],
                reason=values.get("reason", ""),
                at=values.get("at"),
            )
        )

    @extend_schema(
        summary=_("登记报修 (R01–R05, R12, R13)"),
        description=_(
            "price_item 为空表示非标准项目 (R05)；urgent 与 appointment_at 二选一。"
            "received_at 可早于现在（补录纸质单），不能晚于现在。order_due_at = 受理 + 5 分钟 (R02)。"
        ),
        request=RepairCreateSerializer,
        responses={201: RepairSerializer, **error_responses()},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = read_body(self, RepairCreateSerializer)
        project = values.pop("project")
        repair = services.repair_log(
            project=project,
            request=services.RepairRequest(**{k: v for k, v in values.items() if v is not None or k == "urgent"}),
            actor=request.user,
        )
        return self._fresh(repair, status.HTTP_201_CREATED)

    @_repair_action(AcceptSerializer, _("接单 (R03/R04：到场时限自接单起算)"), "accept")
    def accept(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        values = self._action_values(AcceptSerializer, repair)
        return self._fresh(services.repair_accept(repair=repair, actor=request.user, **values))

    @_repair_action(AtSerializer, _("到场 (R03/R04/R06)"), "arrive")
    def arrive(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        values = self._action_values(AtSerializer, repair)
        return self._fresh(services.repair_arrive(repair=repair, actor=request.user, **values))

    @_repair_action(CompleteSerializer, _("完工，客户签字确认 (R07, R10)"), "complete")
    def complete(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        values = self._action_values(CompleteSerializer, repair)
        completed_at = values.pop("completed_at", None) or values.pop("at", None)
        values.pop("at", None)
        return self._fresh(
            services.repair_complete(
                repair=repair,
                actor=request.user,
                customer_signed=values["customer_signed"],
                fee_yuan=values["fee_yuan"],
                actual_items=values.get("actual_items"),
                payment_method=values.get("payment_method", ""),
                completed_at=completed_at,
                difference_note=values.get("difference_note", ""),
            )
        )


router.register("repairs", RepairViewSet, basename="repair")
