"""/api/v1/staff: the colleagues a user may see (O02, O04); office administration creates and changes people
through ``accounts.services`` (who may: ``access.can_manage_staff``, ``can_grant``, ``can_manage_person``).
No login secret leaves the server, except a new one-time password, once, in the answer that made it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from guanjia.accounts import services
from guanjia.accounts.access import can_manage_person, can_manage_staff, mask_phone, staff_visible_q
from guanjia.accounts.models import Role, User
from guanjia.api.fields import BuiltOnceSerializer
from guanjia.api.router import router
from guanjia.estates.filters import ProjectFilter
from guanjia.estates.models import Project


class StaffFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("岗位"))
    project = ProjectFilter(field_name="projects")
    # A strict choice, not BooleanFilter: "?is_active=perhaps" is a 400, not silently ignored.
    is_active = django_filters.TypedChoiceFilter(
        choices=[("true", _("在职")), ("false", _("离职"))], coerce=lambda value: value == "true", label=_("在职")
    )

    class Meta:
        model = User
        fields = ["role", "project", "is_active"]


class StaffSerializer(BuiltOnceSerializer[User]):
    # An explicit whitelist: password hashes, e-mail and permissions never appear here. The username and the
    # phone in full are for those who administer people (O02); everyone else sees no username and a masked
    # phone.
    name = serializers.CharField(source="display_name", read_only=True)
    username = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField(help_text=_("手机；非人员管理者看到的是掩码"))
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    projects = serializers.SerializerMethodField(help_text=_("所属项目 id"))

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "phone",
            "role",
            "role_label",
            "projects",
            "company_wide",
            "is_active",
            "must_change_password",
            "version",
        ]
        read_only_fields = fields

    def _admin(self) -> bool:
        request = self.context.get("request")
        return request is not None and can_manage_staff(request.user)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_username(self, user: User) -> str | None:
        return user.username if self._admin() else None

    def get_phone(self, user: User) -> str:
        return user.phone if self._admin() or not user.phone else mask_phone(user.phone)

    def get_projects(self, user: User) -> list[int]:
        return [p.pk for p in user.projects.all()]


class StaffCreateSerializer(serializers.Serializer[dict[str, Any]]):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    name = serializers.CharField(label=_("姓名"), max_length=50)
    phone = serializers.CharField(label=_("手机"), max_length=20, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(label=_("岗位"), choices=Role.choices)
    projects = serializers.PrimaryKeyRelatedField(
        label=_("所属项目"), many=True, queryset=Project.objects.all(), required=False, default=list
    )
    password = serializers.CharField(
        label=_("密码"),
        write_only=True,
        required=False,
        max_length=128,
        trim_whitespace=False,
        help_text=_("按密码规则检查；不填则生成一次性密码，在回应的 initial_password 中只返回这一次，首次登录须修改"),
    )


class StaffCreatedSerializer(StaffSerializer):
    initial_password = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("一次性密码，只返回这一次；提供了 password 时为 null")
    )

    class Meta(StaffSerializer.Meta):
        fields = [*StaffSerializer.Meta.fields, "initial_password"]
        read_only_fields = fields


class StaffChangeSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(label=_("姓名"), max_length=50, required=False)
    phone = serializers.CharField(label=_("手机"), max_length=20, required=False, allow_blank=True)
    role = serializers.ChoiceField(label=_("岗位"), choices=Role.choices, required=False)
    projects = serializers.PrimaryKeyRelatedField(
        label=_("所属项目"), many=True, queryset=Project.objects.all(), required=False
    )
    is_active = serializers.BooleanField(
        label=_("在职"), required=False, help_text=_("false：停用，不能再登录或被指派，历史记录保留")
    )
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=_("读取时的版本号；已被他人修改时返回 409")
    )


def visible_staff(user: Any) -> QuerySet[User]:
    """Staff ``user`` may see (``access.staff_visible_q``), one row each however many projects they share."""
    matching = User.objects.filter(staff_visible_q(user)).values("pk")
    return User.objects.filter(pk__in=matching).prefetch_related("projects").order_by("id")


@extend_schema_view(
    list=extend_schema(summary=_("可见的员工 (O04)")),
    retrieve=extend_schema(summary=_("一位员工")),
    create=extend_schema(
        summary=_("新增人员 (O02)：管理处经理限其管理的项目，总经理与管理员不限"),
        request=StaffCreateSerializer,
        responses={201: StaffCreatedSerializer},
    ),
    partial_update=extend_schema(
        summary=_("修改岗位、项目、姓名、手机或停用 (O02)"),
        request=StaffChangeSerializer,
        responses={200: StaffSerializer},
    ),
)
class StaffViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[User]
):
    queryset = User.objects.none()
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return visible_staff(self.request.user)

    def get_object(self) -> User:
        # Staff carry no single project: the visibility rule is staff_visible_q, applied by visible_staff.
        try:
            return visible_staff(self.request.user).get(pk=self.kwargs["pk"])
        except (User.DoesNotExist, ValueError, TypeError):
            raise Http404 from None

    def _require_admin(self) -> None:
        if not can_manage_staff(self.request.user):
            raise PermissionDenied(_("只有管理处经理、总经理和管理员可以管理人员。"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_admin()
        given = StaffCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        person, initial = services.staff_create(actor=request.user, now=timezone.now(), **given.validated_data)
        person.initial_password = initial  # type: ignore[attr-defined]
        body = StaffCreatedSerializer(person, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_admin()
        person = self.get_object()
        if not can_manage_person(request.user, person):
            raise PermissionDenied(_("您不能修改此人员。"))
        given = StaffChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        version = changes.pop("version", None)
        if not changes:
            raise ValidationError({"detail": _("请至少提供一个要修改的字段")})
        person = services.staff_update(
            person=person, actor=request.user, now=timezone.now(), changes=changes, version=version
        )
        return Response(
            StaffSerializer(visible_staff(request.user).get(pk=person.pk), context=self.get_serializer_context()).data
        )


router.register("staff", StaffViewSet, basename="staff")
