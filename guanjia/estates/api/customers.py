"""/api/v1/customers (O01, O04): the archive of customers, their units and phones (masked; revealed on request)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import (
    CUSTOMER_WRITE_ROLES,
    get_for_user,
    mask_phone,
    reveal_phone,
    scope,
)
from guanjia.api.errors import Conflict
from guanjia.api.fields import BuiltOnceSerializer
from guanjia.core.api import StrictSerializer, VersionField, error_responses, post_action, read_body
from guanjia.core.errors import ConflictError
from guanjia.estates import services
from guanjia.estates.api.common import ScopedPrimaryKeyField, deny_unless, versioned_changes
from guanjia.estates.filters import CustomerFilter
from guanjia.estates.models import Customer, CustomerKind, Project, Residency, Unit

# --- customers -------------------------------------------------------------------------------------


def _residencies(customer: Customer) -> list[Residency]:
    """The customer's residencies in the order they were tied to the customer (prefetched by the viewset)."""
    return list(customer.residencies.all())


def _current(customer: Customer) -> list[Residency]:
    return [r for r in _residencies(customer) if r.move_out_date is None]


class ResidencySerializer(BuiltOnceSerializer[Residency]):
    unit_number = serializers.CharField(source="unit.number", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Residency
        fields = ["unit", "unit_number", "kind", "kind_label", "move_in_date", "move_out_date"]
        read_only_fields = fields


class CustomerSerializer(BuiltOnceSerializer[Customer]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    phone = serializers.SerializerMethodField(help_text=gettext_lazy("主电话，已脱敏，如 139****5678"))
    phones = serializers.SerializerMethodField(help_text=gettext_lazy("全部电话，已脱敏"))
    kind = serializers.ChoiceField(
        choices=CustomerKind.choices,
        read_only=True,
        help_text=gettext_lazy("主要类别：第一套在住房屋的类别（各房屋的类别见 residencies）"),
    )
    units = serializers.SerializerMethodField(help_text=gettext_lazy("在住房屋 id"))
    unit_numbers = serializers.SerializerMethodField(help_text=gettext_lazy("在住房号，如 3栋2单元1201"))
    residencies = serializers.SerializerMethodField(
        help_text=gettext_lazy("住户关系：每套房屋的类别、入住和迁出日期（含已迁出）")
    )
    id_number_last4 = serializers.CharField(read_only=True, help_text=gettext_lazy("证件号后四位"))
    butler = serializers.SerializerMethodField(help_text=gettext_lazy("第一户房屋的管家 (O03)"))
    butler_name = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "project",
            "name",
            "kind",
            "kind_label",
            "phone",
            "phones",
            "units",
            "unit_numbers",
            "residencies",
            "id_number_last4",
            "butler",
            "butler_name",
            "note",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_phone(self, customer: Customer) -> str:
        phones = list(customer.phones.all())
        return mask_phone(phones[0].number) if phones else ""

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_phones(self, customer: Customer) -> list[str]:
        return [mask_phone(p.number) for p in customer.phones.all()]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_units(self, customer: Customer) -> list[int]:
        return [r.unit_id for r in _current(customer)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unit_numbers(self, customer: Customer) -> list[str]:
        return [r.unit.number for r in _current(customer)]

    @extend_schema_field(ResidencySerializer(many=True))
    def get_residencies(self, customer: Customer) -> list[dict[str, Any]]:
        return list(ResidencySerializer(_residencies(customer), many=True).data)

    def _first_unit(self, customer: Customer) -> Unit | None:
        residencies = _residencies(customer)
        current = [r for r in residencies if r.move_out_date is None] or residencies
        return current[0].unit if current else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_butler(self, customer: Customer) -> int | None:
        unit = self._first_unit(customer)
        return unit.butler_id if unit else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_butler_name(self, customer: Customer) -> str | None:
        unit = self._first_unit(customer)
        return unit.butler.display_name if unit and unit.butler else None


class PhonesField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.CharField(max_length=30, allow_blank=True),
            max_length=10,
            label=gettext_lazy("电话"),
            help_text=gettext_lazy("第一个为主电话"),
            **kwargs,
        )


class CustomerCreateSerializer(serializers.Serializer[Any]):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all(), project_field="id", label=gettext_lazy("项目"))
    name = serializers.CharField(max_length=50, label=gettext_lazy("姓名"))
    kind = serializers.ChoiceField(choices=CustomerKind.choices, default=CustomerKind.OWNER, label=gettext_lazy("类别"))
    phones = PhonesField(required=False)
    units = ScopedPrimaryKeyField(
        queryset=Unit.objects.filter(is_retired=False), many=True, required=False, label=gettext_lazy("房屋")
    )
    move_in_date = serializers.DateField(required=False, allow_null=True, label=gettext_lazy("入住日期"))
    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=20, write_only=True, label=gettext_lazy("证件号码")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, label=gettext_lazy("备注"))
    allow_duplicate = serializers.BooleanField(
        default=False,
        write_only=True,
        label=gettext_lazy("确认是另一人"),
        help_text=gettext_lazy("电话已登记在其他客户名下时，确认确实是另一人后仍然保存"),
    )

    def validate_units(self, value: list[Unit]) -> list[Unit]:
        return list(dict.fromkeys(value))  # the same unit twice is one residency, not a conflict

    def validate_id_number(self, value: str) -> str:
        if value:
            try:
                services.id_number_keys(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return value


class CustomerUpdateSerializer(StrictSerializer):
    version = VersionField(label=gettext_lazy("版本号"))
    name = serializers.CharField(max_length=50, required=False, label=gettext_lazy("姓名"))
    kind = serializers.ChoiceField(
        choices=CustomerKind.choices,
        required=False,
        label=gettext_lazy("类别"),
        help_text=gettext_lazy("主要类别；同时改第一套在住房屋的类别"),
    )
    phones = PhonesField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, label=gettext_lazy("备注"))
    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=20, write_only=True, label=gettext_lazy("证件号码")
    )
    allow_duplicate = serializers.BooleanField(default=False, write_only=True, label=gettext_lazy("确认是另一人"))


class MoveInSerializer(serializers.Serializer[Any]):
    unit = ScopedPrimaryKeyField(queryset=Unit.objects.filter(is_retired=False), label=gettext_lazy("房屋"))
    kind = serializers.ChoiceField(choices=CustomerKind.choices, label=gettext_lazy("类别"))
    date = serializers.DateField(label=gettext_lazy("入住日期"))
    details = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        label=gettext_lazy("交接内容"),
        help_text=gettext_lazy("入住交接 (F07)"),
    )
    documents_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        label=gettext_lazy("资料"),
        help_text=gettext_lazy("钥匙、业主手册等"),
    )


class MoveOutSerializer(serializers.Serializer[Any]):
    unit = ScopedPrimaryKeyField(queryset=Unit.objects.all(), label=gettext_lazy("房屋"))
    date = serializers.DateField(label=gettext_lazy("迁出日期"))
    details = serializers.CharField(required=False, allow_blank=True, max_length=2000, label=gettext_lazy("内容"))
    documents_note = serializers.CharField(required=False, allow_blank=True, max_length=200, label=gettext_lazy("资料"))


def _duplicate_response(exc: services.DuplicateCustomerError) -> Response:
    """400 naming the field, and the customer already holding the phone, so the desk can open them instead."""
    return Response(
        {"phones": exc.messages, "existing_customer": exc.existing.pk, "existing_customer_name": exc.existing.name},
        status=status.HTTP_400_BAD_REQUEST,
    )


class RevealedPhonesSerializer(serializers.Serializer[Any]):
    phone = serializers.CharField(help_text=gettext_lazy("主电话（完整）"))
    phones = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("全部电话（完整）"))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("客户列表（电话已脱敏）")),
    retrieve=extend_schema(summary=gettext_lazy("一位客户（电话已脱敏）")),
)
class CustomerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Customer]
):
    queryset = Customer.objects.none()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter

    def base_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.prefetch_related(
            "phones",
            Prefetch(
                "residencies",
                queryset=Residency.objects.select_related("unit__building", "unit__butler").order_by("id"),
            ),
        )

    def get_queryset(self) -> QuerySet[Customer]:
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        return scope(self.base_queryset(), self.request.user)

    def get_object(self) -> Customer:
        return get_for_user(self.base_queryset(), self.request.user, self.kwargs["pk"])

    def _fresh(self, customer: Customer) -> dict[str, Any]:
        return dict(CustomerSerializer(self.base_queryset().get(pk=customer.pk)).data)

    @extend_schema(
        summary=gettext_lazy("新建客户（前台、管家、管理人员）"),
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer, **error_responses()},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deny_unless(request, CUSTOMER_WRITE_ROLES)
        values = read_body(self, CustomerCreateSerializer)
        try:
            customer = services.customer_create(
                project=values.pop("project"),
                name=values.pop("name"),
                kind=values.pop("kind"),
                phones=values.pop("phones", ()),
                units=values.pop("units", ()),
                move_in_date=values.pop("move_in_date", None),
                id_number=values.pop("id_number", ""),
                note=values.pop("note", ""),
                allow_duplicate=values.pop("allow_duplicate", False),
                actor=request.user,
                now=timezone.now(),
            )
        except services.DuplicateCustomerError as exc:
            return _duplicate_response(exc)
        return Response(self._fresh(customer), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("修改客户资料（需带版本号）"),
        request=CustomerUpdateSerializer,
        responses={
            200: CustomerSerializer,
            **error_responses(gettext_lazy("客户资料已被他人修改，请刷新后再试")),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        deny_unless(request, CUSTOMER_WRITE_ROLES)
        version, changes = versioned_changes(self, CustomerUpdateSerializer)
        phones = changes.pop("phones", None)
        id_number = changes.pop("id_number", None)
        allow_duplicate = changes.pop("allow_duplicate", False)
        try:
            customer = services.customer_update(
                customer=customer,
                version=version,
                changes=changes,
                phones=phones,
                id_number=id_number,
                allow_duplicate=allow_duplicate,
                actor=request.user,
                now=timezone.now(),
            )
        except services.DuplicateCustomerError as exc:
            return _duplicate_response(exc)
        except ConflictError as exc:
            raise Conflict(str(exc)) from exc
        return Response(self._fresh(customer))

    @post_action(
        MoveInSerializer,
        gettext_lazy("入住：登记客户入住某房屋，并记入档案（入住交接，F07）"),
        "move-in",
        response=CustomerSerializer,
    )
    def move_in(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        deny_unless(request, CUSTOMER_WRITE_ROLES)
        values = read_body(self, MoveInSerializer)
        services.customer_move_in(
            customer=customer,
            unit=values["unit"],
            kind=values["kind"],
            on=values["date"],
            details=values.get("details", ""),
            documents_note=values.get("documents_note", ""),
            actor=request.user,
            now=timezone.now(),
        )
        return Response(self._fresh(customer))

    @post_action(
        MoveOutSerializer,
        gettext_lazy("迁出：登记客户迁出某房屋，并记入档案（F07）"),
        "move-out",
        response=CustomerSerializer,
    )
    def move_out(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        deny_unless(request, CUSTOMER_WRITE_ROLES)
        values = read_body(self, MoveOutSerializer)
        services.customer_move_out(
            customer=customer,
            unit=values["unit"],
            on=values["date"],
            details=values.get("details", ""),
            documents_note=values.get("documents_note", ""),
            actor=request.user,
            now=timezone.now(),
        )
        return Response(self._fresh(customer))

    @post_action(
        None,
        gettext_lazy("查看完整电话（记入客户时间线）"),
        "reveal-phone",
        response=RevealedPhonesSerializer,
        description=gettext_lazy("仅限需要联系客户的岗位；秩序、环境等岗位返回 403。每次查看都记录在客户的时间线上。"),
    )
    def reveal_phone(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        try:
            numbers = reveal_phone(user=request.user, customer=customer)  # type: ignore[arg-type]
        except PermissionError as exc:
            raise PermissionDenied(_("您的岗位无权查看完整电话。")) from exc
        return Response({"phone": numbers[0] if numbers else "", "phones": numbers})
