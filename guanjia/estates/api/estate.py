"""/api/v1/projects, buildings and units (O01, O03, O04): the estate's structure."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts.access import (
    ESTATE_ADMIN_ROLES,
    UNIT_STATUS_ROLES,
    can_manage_company,
    get_for_user,
    scope,
)
from guanjia.accounts.models import User
from guanjia.api.errors import Conflict
from guanjia.api.fields import BuiltOnceSerializer
from guanjia.core.api import StrictSerializer, VersionField, error_responses, post_action, read_body
from guanjia.core.errors import ConflictError
from guanjia.estates import structure
from guanjia.estates.api.common import (
    RetireSerializer,
    deny_unless,
    require_visible,
    retire_reason,
    versioned_changes,
)
from guanjia.estates.filters import BuildingFilter, UnitFilter
from guanjia.estates.models import Building, Project, Unit, UnitStatus

# --- projects --------------------------------------------------------------------------------------


class ProjectSerializer(BuiltOnceSerializer[Project]):
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
        values = read_body(self, ProjectWriteSerializer)
        project = structure.project_create(company=user.company, values=values, actor=user, now=timezone.now())
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
        version, values = versioned_changes(self, ProjectUpdateSerializer)
        project = structure.project_update(
            project=project, version=version, values=values, actor=request.user, now=timezone.now()
        )
        return Response(ProjectSerializer(project).data)

    @post_action(
        RetireSerializer,
        gettext_lazy("停用项目（不删除，历史保留）"),
        "retire",
        response=ProjectSerializer,
        conflict=gettext_lazy("已停用"),
    )
    def retire(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        reason = retire_reason(self)
        project = structure.project_retire(project=project, actor=request.user, now=timezone.now(), reason=reason)
        return Response(ProjectSerializer(project).data)


# --- buildings -------------------------------------------------------------------------------------


class BuildingSerializer(BuiltOnceSerializer[Building]):
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
        deny_unless(request, ESTATE_ADMIN_ROLES)
        values = read_body(self, BuildingCreateSerializer)
        project = values["project"]
        require_visible(request, project.pk)
        building = structure.building_create(
            project=project,
            number=values["number"],
            name=values.get("name", ""),
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
        version, values = versioned_changes(self, BuildingUpdateSerializer)
        building = structure.building_update(
            building=building, version=version, values=values, actor=request.user, now=timezone.now()
        )
        return Response(BuildingSerializer(building).data)

    @post_action(
        RetireSerializer,
        gettext_lazy("停用楼栋（不删除，历史保留）"),
        "retire",
        response=BuildingSerializer,
        conflict=gettext_lazy("楼栋还有在用的房屋，或已停用"),
    )
    def retire(self, request: Request, pk: str | None = None) -> Response:
        building = self.get_object()
        reason = retire_reason(self)
        building = structure.building_retire(building=building, actor=request.user, now=timezone.now(), reason=reason)
        return Response(BuildingSerializer(building).data)


# --- units -----------------------------------------------------------------------------------------


class UnitSerializer(BuiltOnceSerializer[Unit]):
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
        deny_unless(request, ESTATE_ADMIN_ROLES)
        values = read_body(self, UnitCreateSerializer)
        building: Building = values["building"]
        require_visible(request, building.project_id)
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
        deny_unless(request, UNIT_STATUS_ROLES | ESTATE_ADMIN_ROLES)
        version, values = versioned_changes(self, UnitUpdateSerializer)
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

    @post_action(
        RetireSerializer,
        gettext_lazy("停用房屋（不删除，历史保留）"),
        "retire",
        response=UnitSerializer,
        conflict=gettext_lazy("房屋还有住户，或已停用"),
    )
    def retire(self, request: Request, pk: str | None = None) -> Response:
        unit = self.get_object()
        structure.unit_retire(unit=unit, actor=request.user, now=timezone.now(), reason=retire_reason(self))
        return Response(UnitSerializer(self.get_object()).data)
