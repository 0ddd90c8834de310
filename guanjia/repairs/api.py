"""/api/v1/price-items: the repair price list (维修项目收费标准), read-only, scoped to visible projects."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from guanjia.accounts.access import get_for_user, scope, visible_projects
from guanjia.api.router import router
from guanjia.estates.models import Project
from guanjia.repairs.models import PriceCategory, PriceItem


def _user_projects(request: Any) -> QuerySet[Project]:
    if request is None:  # schema generation
        return Project.objects.none()
    return visible_projects(request.user)


class PriceItemFilter(django_filters.FilterSet):
    # Another project's id is "not a valid choice" (400), the same answer as an id that does not exist.
    project = django_filters.ModelChoiceFilter(queryset=_user_projects, label=_("项目"))
    active = django_filters.BooleanFilter(label=_("启用"), widget=forms.NullBooleanSelect)
    category = django_filters.ChoiceFilter(choices=PriceCategory.choices, label=_("类别"))
    q = django_filters.CharFilter(method="search", label=_("搜索名称或编号"), max_length=50)

    class Meta:
        model = PriceItem
        fields = ["project", "active", "category", "q"]

    def search(self, queryset: QuerySet[PriceItem], name: str, value: str) -> QuerySet[PriceItem]:
        term = value.strip()
        return queryset.filter(Q(name__icontains=term) | Q(code__icontains=term)) if term else queryset


class PriceItemSerializer(serializers.ModelSerializer[PriceItem]):
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
