"""/api/v1/projects, units and customers (O01, O03, O04).

Every list starts from what the user may see (``access.scope``) and every object is fetched through
``access.get_for_user``, so another project's objects answer 404. Writes go through ``estates.services``;
a stale ``version`` answers 409 with the reason. Phones are masked; ``customers/{id}/reveal-phone`` shows
them in full to the roles that need them and records the reveal on the customer's timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import (
    CUSTOMER_WRITE_ROLES,
    ESTATE_ADMIN_ROLES,
    UNIT_STATUS_ROLES,
    can_manage_company,
    can_see_project,
    get_for_user,
    has_role,
    mask_phone,
    reveal_phone,
    scope,
)
from guanjia.accounts.models import User
from guanjia.api.errors import Conflict
from guanjia.api.router import router
from guanjia.core.api import StrictSerializer, VersionField, error_responses
from guanjia.core.errors import ConflictError
from guanjia.estates import services, structure
from guanjia.estates.filters import BuildingFilter, CustomerFilter, UnitFilter
from guanjia.estates.models import Building, Customer, CustomerKind, Project, Residency, Unit, UnitStatus

if TYPE_CHECKING:
    pass


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField[Any]):
    """An id that must lie in a project the requesting user may see; otherwise "does not exist" (O04)."""

    def __init__(self, *, project_field: str = "project", **kwargs: Any) -> None:
        self.project_field = project_field
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        request = self.context.get("request")
        assert queryset is not None, "declare the field with a queryset"
        if request is None:
            return queryset.none()
        return scope(queryset, request.user, self.project_field)


def _deny_unless(request: Request, roles: frozenset[str] | set[str]) -> None:
    if not has_role(request.user, roles):
        raise PermissionDenied(_("您的岗位无权执行此操作。"))


def _visible(request: Request, project_id: int) -> None:
    """A project the user cannot see does not exist for them (O04): 404, as for any object lookup."""
    if not can_see_project(request.user, project_id):
        raise Http404


class RetireSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(label=gettext_lazy("原因"), required=False, allow_blank=True, max_length=500)


# --- projects --------------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer[Project]):
    class Meta:
        model = Project
        fields = ["id", "name", "code", "address", "phone", "is_retired", "retired_at", "version"]
        read_only_fields = fields


class ProjectWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, label=gettext_lazy("项目名称"))
    code = serializers.CharField(max_length=32, label=gettext_lazy("项目代码"), help_text=gettext_lazy("如 binjiang"))
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, label=gettext_lazy("地址"))
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, label=gettext_lazy("服务中心电话"))


class ProjectUpdateSerializer(ProjectWriteSerializer):
    version = VersionField(label=gettext_lazy("版本号"))
    name = serializers.CharField(max_length=100, required=False, label=gettext_lazy("项目名称"))
    code = serializers.CharField(max_length=32, required=False, label=gettext_lazy("项目代码"))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("可见的项目 (O04)")),
    retrieve=extend_schema(summary=gettext_lazy("一个项目")),
)
class ProjectViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Project]
):
    queryset = Project.objects.none()
    serializer_class = ProjectSerializer
    filterset_class = None

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return scope(Project.objects.all(), self.request.user, field="id")

    def get_object(self) -> Project:
        return get_for_user(Project.objects.all(), self.request.user, self.kwargs["pk"], field="id")

    @extend_schema(
        summary=gettext_lazy("新建项目（总经理、管理员）"),
        request=ProjectWriteSerializer,
        responses={201: ProjectSerializer, **error_responses()},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        if not can_manage_company(user) or user.company is None:
            raise PermissionDenied(_("只有总经理可以新建项目。"))
        data = ProjectWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = structure.project_create(
            company=user.company, values=dict(data.validated_data), actor=user, now=timezone.now()
        )
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("修改项目（总经理、管理员；需带版本号）"),
        request=ProjectUpdateSerializer,
        responses={
            200: ProjectSerializer,
            **error_responses(gettext_lazy("项目资料已被他人修改，请刷新后再试")),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        data = ProjectUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        project = structure.project_update(
            project=project, version=version, values=values, actor=request.user, now=timezone.now()
        )
        return Response(ProjectSerializer(project).data)

    @extend_schema(
        summary=gettext_lazy("停用项目（不删除，历史保留）"),
        request=RetireSerializer,
        responses={200: ProjectSerializer, **error_responses(gettext_lazy("已停用"))},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def retire(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        data = RetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = structure.project_retire(
            project=project, actor=request.user, now=timezone.now(), reason=data.validated_data.get("reason", "")
        )
        return Response(ProjectSerializer(project).data)


# --- buildings -------------------------------------------------------------------------------------


class BuildingSerializer(serializers.ModelSerializer[Building]):
    label = serializers.CharField(read_only=True, help_text=gettext_lazy("如 3栋"))  # type: ignore[assignment]

    class Meta:
        model = Building
        fields = ["id", "project", "number", "name", "label", "is_retired", "retired_at", "version"]
        read_only_fields = fields


class BuildingCreateSerializer(StrictSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all(), label=gettext_lazy("项目"))
    number = serializers.CharField(max_length=16, label=gettext_lazy("楼栋号"), help_text=gettext_lazy("如 3、A"))
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, label=gettext_lazy("楼栋名称"))


class BuildingUpdateSerializer(StrictSerializer):
    version = VersionField(label=gettext_lazy("版本号"))
    number = serializers.CharField(max_length=16, required=False, label=gettext_lazy("楼栋号"))
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, label=gettext_lazy("楼栋名称"))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("楼栋列表")),
    retrieve=extend_schema(summary=gettext_lazy("一栋楼")),
)
class BuildingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Building]
):
    queryset = Building.objects.none()
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilter

    def get_queryset(self) -> QuerySet[Building]:
        if getattr(self, "swagger_fake_view", False):
            return Building.objects.none()
        return scope(Building.objects.order_by("project_id", "id"), self.request.user)

    def get_object(self) -> Building:
        return get_for_user(Building.objects.select_related("project"), self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary=gettext_lazy("新建楼栋（管理处经理、总经理）"),
        request=BuildingCreateSerializer,
        responses={201: BuildingSerializer, **error_responses()},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _deny_unless(request, ESTATE_ADMIN_ROLES)
        data = BuildingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = data.validated_data["project"]
        _visible(request, project.pk)
        building = structure.building_create(
            project=project,
            number=data.validated_data["number"],
            name=data.validated_data.get("name", ""),
            actor=request.user,
            now=timezone.now(),
        )
        return Response(BuildingSerializer(building).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("修改楼栋（需带版本号）"),
        request=BuildingUpdateSerializer,
        responses={
            200: BuildingSerializer,
            **error_responses(gettext_lazy("楼栋资料已被他人修改，请刷新后再试")),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        building = self.get_object()
        data = BuildingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        building = structure.building_update(
            building=building, version=version, values=values, actor=request.user, now=timezone.now()
        )
        return Response(BuildingSerializer(building).data)

    @extend_schema(
        summary=gettext_lazy("停用楼栋（不删除，历史保留）"),
        request=RetireSerializer,
        responses={200: BuildingSerializer, **error_responses(gettext_lazy("楼栋还有在用的房屋，或已停用"))},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def retire(self, request: Request, pk: str | None = None) -> Response:
        building = self.get_object()
        data = RetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        building = structure.building_retire(
            building=building, actor=request.user, now=timezone.now(), reason=data.validated_data.get("reason", "")
        )
        return Response(BuildingSerializer(building).data)


# --- units -----------------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer[Unit]):
    building_label = serializers.CharField(source="building.label", read_only=True, help_text=gettext_lazy("如 3栋"))
    number = serializers.CharField(read_only=True, help_text=gettext_lazy("如 3栋2单元1201"))
    short_number = serializers.CharField(read_only=True, help_text=gettext_lazy("如 3-2-1201"))
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    butler_name = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "project",
            "building",
            "building_label",
            "number",
            "short_number",
            "entrance",
            "room",
            "floor",
            "area_m2",
            "status",
            "status_label",
            "butler",
            "butler_name",
            "is_retired",
            "retired_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_butler_name(self, unit: Unit) -> str | None:
        return unit.butler.display_name if unit.butler else None


class UnitFieldsSerializer(StrictSerializer):
    entrance = serializers.CharField(max_length=8, required=False, allow_blank=True, label=gettext_lazy("单元"))
    room = serializers.CharField(max_length=16, required=False, label=gettext_lazy("房号"))
    floor = serializers.IntegerField(required=False, allow_null=True, label=gettext_lazy("楼层"))
    area_m2 = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, label=gettext_lazy("建筑面积(㎡)")
    )
    status = serializers.ChoiceField(choices=UnitStatus.choices, required=False, label=gettext_lazy("状态"))
    butler = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, label=gettext_lazy("管家")
    )


class UnitCreateSerializer(UnitFieldsSerializer):
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), label=gettext_lazy("楼栋"))
    room = serializers.CharField(max_length=16, label=gettext_lazy("房号"))
    project = serializers.IntegerField(
        required=False, label=gettext_lazy("项目"), help_text=gettext_lazy("可省略：即楼栋所在项目")
    )


class UnitUpdateSerializer(UnitFieldsSerializer):
    version = VersionField(label=gettext_lazy("版本号"))
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, label=gettext_lazy("楼栋")
    )
    reason = serializers.CharField(label=gettext_lazy("原因"), required=False, allow_blank=True, max_length=500)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if not set(attrs) - {"version", "reason"}:
            raise serializers.ValidationError({"status": [_("请填写要修改的内容，例如状态")]})
        return attrs


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("房屋列表")),
    retrieve=extend_schema(summary=gettext_lazy("一户房屋")),
)
class UnitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Unit]
):
    queryset = Unit.objects.none()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def base_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.select_related("building", "butler", "project")

    def get_queryset(self) -> QuerySet[Unit]:
        if getattr(self, "swagger_fake_view", False):
            return Unit.objects.none()
        return scope(self.base_queryset(), self.request.user)

    def get_object(self) -> Unit:
        return get_for_user(self.base_queryset(), self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary=gettext_lazy("新建房屋（管理处经理、总经理）"),
        request=UnitCreateSerializer,
        responses={201: UnitSerializer, **error_responses()},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _deny_unless(request, ESTATE_ADMIN_ROLES)
        data = UnitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        building: Building = values["building"]
        _visible(request, building.project_id)
        project_id = values.pop("project", None)
        if project_id is not None and project_id != building.project_id:
            raise serializers.ValidationError({"building": [_("楼栋不属于该项目")]})
        unit = structure.unit_create(project=building.project, values=values, actor=request.user, now=timezone.now())
        return Response(UnitSerializer(self.get_object_by_pk(unit.pk)).data, status=status.HTTP_201_CREATED)

    def get_object_by_pk(self, pk: int) -> Unit:
        return self.base_queryset().get(pk=pk)

    @extend_schema(
        summary=gettext_lazy("修改房屋：房号、楼层、面积、管家（管理处经理）或状态（管理人员、管家）；需带版本号"),
        request=UnitUpdateSerializer,
        responses={200: UnitSerializer, **error_responses(gettext_lazy("房屋资料已被他人修改，请刷新后再试"))},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        unit = self.get_object()
        _deny_unless(request, UNIT_STATUS_ROLES | ESTATE_ADMIN_ROLES)
        data = UnitUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        reason = values.pop("reason", "")
        if "building" in values and values["building"].project_id != unit.project_id:
            raise serializers.ValidationError({"building": [_("请选择本项目的楼栋")]})
        try:
            structure.unit_update(
                unit=unit, version=version, values=values, actor=request.user, now=timezone.now(), reason=reason
            )
        except ConflictError as exc:
            raise Conflict(str(exc)) from exc
        return Response(UnitSerializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("停用房屋（不删除，历史保留）"),
        request=RetireSerializer,
        responses={200: UnitSerializer, **error_responses(gettext_lazy("房屋还有住户，或已停用"))},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def retire(self, request: Request, pk: str | None = None) -> Response:
        unit = self.get_object()
        data = RetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        structure.unit_retire(
            unit=unit, actor=request.user, now=timezone.now(), reason=data.validated_data.get("reason", "")
        )
        return Response(UnitSerializer(self.get_object()).data)


# --- customers -------------------------------------------------------------------------------------


def _residencies(customer: Customer) -> list[Residency]:
    """The customer's residencies in the order they were tied to the customer (prefetched by the viewset)."""
    return list(customer.residencies.all())


def _current(customer: Customer) -> list[Residency]:
    return [r for r in _residencies(customer) if r.move_out_date is None]


class ResidencySerializer(serializers.ModelSerializer[Residency]):
    unit_number = serializers.CharField(source="unit.number", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Residency
        fields = ["unit", "unit_number", "kind", "kind_label", "move_in_date", "move_out_date"]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer[Customer]):
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
        _deny_unless(request, CUSTOMER_WRITE_ROLES)
        data = CustomerCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
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
        _deny_unless(request, CUSTOMER_WRITE_ROLES)
        data = CustomerUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version")
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

    @extend_schema(
        summary=gettext_lazy("入住：登记客户入住某房屋，并记入档案（入住交接，F07）"),
        request=MoveInSerializer,
        responses={200: CustomerSerializer, **error_responses()},
    )
    @action(detail=True, methods=["post"], url_path="move-in", filterset_class=None, pagination_class=None)
    def move_in(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        _deny_unless(request, CUSTOMER_WRITE_ROLES)
        data = MoveInSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
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

    @extend_schema(
        summary=gettext_lazy("迁出：登记客户迁出某房屋，并记入档案（F07）"),
        request=MoveOutSerializer,
        responses={200: CustomerSerializer, **error_responses()},
    )
    @action(detail=True, methods=["post"], url_path="move-out", filterset_class=None, pagination_class=None)
    def move_out(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        _deny_unless(request, CUSTOMER_WRITE_ROLES)
        data = MoveOutSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
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

    @extend_schema(
        summary=gettext_lazy("查看完整电话（记入客户时间线）"),
        description=gettext_lazy("仅限需要联系客户的岗位；秩序、环境等岗位返回 403。每次查看都记录在客户的时间线上。"),
        request=None,
        responses={200: RevealedPhonesSerializer, **error_responses()},
    )
    @action(detail=True, methods=["post"], url_path="reveal-phone", filterset_class=None, pagination_class=None)
    def reveal_phone(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        try:
            numbers = reveal_phone(user=request.user, customer=customer)  # type: ignore[arg-type]
        except PermissionError as exc:
            raise PermissionDenied(_("您的岗位无权查看完整电话。")) from exc
        return Response({"phone": numbers[0] if numbers else "", "phones": numbers})


router.register("projects", ProjectViewSet, basename="project")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("customers", CustomerViewSet, basename="customer")
