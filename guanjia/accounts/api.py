"""/api/v1/staff: the colleagues a user may see (O02, O04). Read-only; no login secrets leave the server."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from guanjia.accounts.access import staff_visible_q
from guanjia.accounts.models import Role, User
from guanjia.api.router import router
from guanjia.estates.filters import ProjectFilter


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


class StaffSerializer(serializers.ModelSerializer[User]):
    # An explicit whitelist: password hashes, e-mail, usernames and permissions never appear here.
    name = serializers.CharField(source="display_name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    projects = serializers.SerializerMethodField(help_text=_("所属项目 id"))

    class Meta:
        model = User
        fields = ["id", "name", "role", "role_label", "projects", "company_wide", "is_active"]
        read_only_fields = fields

    def get_projects(self, user: User) -> list[int]:
        return [p.pk for p in user.projects.all()]


def visible_staff(user: Any) -> QuerySet[User]:
    """Staff ``user`` may see (``access.staff_visible_q``), one row each however many projects they share."""
    matching = User.objects.filter(staff_visible_q(user)).values("pk")
    return User.objects.filter(pk__in=matching).prefetch_related("projects").order_by("id")


@extend_schema_view(
    list=extend_schema(summary=_("可见的员工 (O04)")),
    retrieve=extend_schema(summary=_("一位员工")),
)
class StaffViewSet(viewsets.ReadOnlyModelViewSet[User]):
    queryset = User.objects.none()
    serializer_class = StaffSerializer
    filterset_class = StaffFilter

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


router.register("staff", StaffViewSet, basename="staff")
