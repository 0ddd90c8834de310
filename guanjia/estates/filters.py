"""Query-string filters of the estate API. A bad value answers 400 naming the parameter, never a 500.

Project choices are limited to the projects the user may see (O04): asking for another project's rows is
"not a valid choice", the same answer as for a project that does not exist, so nothing leaks.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from guanjia.accounts.access import visible_projects
from guanjia.estates.models import Building, Customer, CustomerKind, Project, Unit, UnitStatus
from guanjia.estates.selectors import customer_search

#: The most search results a ``?q=`` answers per project: the page size cap, enough for any desk query.
SEARCH_LIMIT = 200
#: Ids are 64-bit in both databases; a larger number would overflow the query on PostgreSQL.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An integer id: "abc", "1.5" or an id beyond 64 bits is a 400, not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def user_projects(request: Any) -> QuerySet[Project]:
    if request is None:  # schema generation
        return Project.objects.none()
    return visible_projects(request.user)


class ProjectFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", user_projects)
        kwargs.setdefault("label", _("项目"))
        super().__init__(*args, **kwargs)


class BuildingFilter(django_filters.FilterSet):
    project = ProjectFilter()
    is_retired = django_filters.BooleanFilter(label=_("已停用"))

    class Meta:
        model = Building
        fields = ["project", "is_retired"]


class UnitFilter(django_filters.FilterSet):
    project = ProjectFilter()
    building = IdFilter(field_name="building_id", label=_("楼栋"))
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label=_("状态"))
    butler = IdFilter(field_name="butler_id", label=_("管家"))
    is_retired = django_filters.BooleanFilter(label=_("已停用"))

    class Meta:
        model = Unit
        fields = ["project", "building", "status", "butler", "is_retired"]


class CustomerFilter(django_filters.FilterSet):
    project = ProjectFilter()
    unit = IdFilter(field_name="units", label=_("房屋"))
    kind = django_filters.ChoiceFilter(choices=CustomerKind.choices, label=_("类别"))
    q = django_filters.CharFilter(method="filter_q", label=_("搜索：姓名、拼音、电话号码或房号"), max_length=50)

    class Meta:
        model = Customer
        fields = ["project", "unit", "kind", "q"]

    def filter_q(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        """The desk's search (``selectors.customer_search``), best matches first, at most SEARCH_LIMIT per
        project; the other filters still apply."""
        request = self.request
        if not value.strip() or request is None:
            return queryset
        chosen = self.form.cleaned_data.get("project")
        projects = [chosen] if chosen else list(visible_projects(request.user))
        found: list[Customer] = []
        for project in projects:
            found += customer_search(user=request.user, project=project, query=value, limit=SEARCH_LIMIT)
        found.sort(key=lambda c: (getattr(c, "search_rank", 0), c.name_pinyin, c.pk))
        if not found:
            return queryset.none()
        order = Case(*(When(pk=c.pk, then=Value(i)) for i, c in enumerate(found)), output_field=IntegerField())
        return queryset.filter(pk__in=[c.pk for c in found]).order_by(order)
