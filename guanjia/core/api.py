"""API plumbing every app's endpoints share: the strict input serializer, the version field of an optimistic
lock, the documented 4xx answers of a write, reading a body and the one POST action on an object. Errors
themselves are answered once, in ``guanjia.api.errors``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

F = TypeVar("F", bound=Callable[..., Any])


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text=gettext_lazy("原因"))


def error_responses(conflict: StrOrPromise | None = None) -> dict[int, OpenApiResponse]:
    """The 4xx answers of a write, for the schema; ``conflict`` documents its 409."""
    answers = {
        400: OpenApiResponse(description=gettext_lazy('字段错误：{"字段": ["原因"]}')),
        403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("岗位无权执行此操作")),
        404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("不存在，或属于您看不到的项目 (O04)")),
    }
    if conflict is not None:
        answers[409] = OpenApiResponse(ErrorSerializer, description=conflict)
    return answers


class StrictSerializer(serializers.Serializer[Any]):
    """Refuses, by name, a field it does not know (or may not change) rather than dropping it silently."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        initial = getattr(self, "initial_data", None)
        initial = initial if isinstance(initial, dict) else {}
        unknown = sorted(set(initial) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({f: [_("未知字段或不可修改的字段")] for f in unknown})
        return attrs


class VersionField(serializers.IntegerField):
    """The version the client read; a write against a newer one answers 409."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("help_text", gettext_lazy("读取时的版本号；已被他人修改时返回 409"))
        super().__init__(**kwargs)


def read_body(view: GenericAPIView[Any], serializer: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    """The request's body read by ``serializer`` (with the view's context, which scoped ids need); a bad value
    answers 400 naming the field."""
    data = serializer(data=view.request.data, context=view.get_serializer_context())
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def post_action(
    body: type[serializers.Serializer[Any]] | None,
    summary: StrOrPromise,
    path: str,
    *,
    response: Any,
    conflict: StrOrPromise | None = None,
    code: int = 200,
    description: StrOrPromise | None = None,
) -> Callable[[F], F]:
    """A POST action on one object (``…/{id}/<path>``), documented with its body, its answer and its 4xx answers
    (``conflict`` documents the 409). Unfiltered and unpaginated: it answers one object."""
    schema = extend_schema(
        summary=summary,
        description=description,
        request=body,
        responses={code: response, **error_responses(conflict)},
    )

    def decorate(func: F) -> F:
        detail = action(detail=True, methods=["post"], url_path=path, filterset_class=None, pagination_class=None)
        return schema(detail(func))  # type: ignore[return-value]

    return decorate
