"""What the estates endpoints share: a project-scoped id field, a masked phone, the role and visibility checks, the
bodies of a versioned update and of a retire."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from guanjia.accounts.access import (
    can_see_project,
    has_role,
    mask_phone,
    scope,
)
from guanjia.core.api import read_body


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


class MaskedPhoneField(serializers.CharField):
    """A phone number as the API shows it: masked (``access.mask_phone``: 138****5678), read-only."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return mask_phone(str(value))


def deny_unless(request: Request, roles: frozenset[str] | set[str]) -> None:
    if not has_role(request.user, roles):
        raise PermissionDenied(_("您的岗位无权执行此操作。"))


def require_visible(request: Request, project_id: int) -> None:
    """A project the user cannot see does not exist for them (O04): 404, as for any object lookup."""
    if not can_see_project(request.user, project_id):
        raise Http404


class RetireSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(label=gettext_lazy("原因"), required=False, allow_blank=True, max_length=500)


def versioned_changes(
    view: GenericAPIView[Any], serializer: type[serializers.Serializer[Any]]
) -> tuple[int, dict[str, Any]]:
    """A versioned update's body: the version the client read (a newer one answers 409), and the changes."""
    values = read_body(view, serializer)
    return values.pop("version"), values


def retire_reason(view: GenericAPIView[Any]) -> str:
    """The optional reason in a retire's body."""
    return str(read_body(view, RetireSerializer).get("reason", ""))
