"""The OpenAPI schema documents the error answers every operation can really give.

drf-spectacular documents only the success answer unless a view says more. This ``AutoSchema`` adds, to every
operation, the errors ``guanjia.api.errors`` produces for it, with their real shape, unless the view
documented that status itself (then only a missing body schema is filled in):

- 400 ``{"field": ["message"]}`` (or ``{"detail": …}``): any operation with a request body or query parameters;
- 401 ``{"detail"}``: every operation that needs a signed-in user (no or a wrong token);
- 403 ``{"detail"}``: the same operations (the role or the project does not allow it);
- 404 ``{"detail"}``: routes with an id in the path (missing, or in a project the user cannot see) and paginated
  lists (``?page=`` past the end);
- 409 ``{"detail"}``: every write (a stale ``version``, a state that forbids the action, or two people saving
  the same thing at once: ``ConflictError``, ``TransitionError`` and ``IntegrityError`` all answer 409);
- 413 ``{"detail"}``: operations with a request body larger than the server accepts;
- 429 ``{"detail"}``: throttled operations.

Unknown paths under ``/api/`` answer 404 ``{"detail"}`` too (``guanjia.api.errors.api_page_not_found``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: ``{"detail": "…"}``: every error except field errors.
ERROR_DETAIL: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "原因（按请求语言，默认中文）"}},
    "required": ["detail"],
}
#: ``{"field": ["message"]}``; a nested or list field answers a nested object or list in the same shape; an
#: error not tied to one field answers ``{"detail": …}`` or ``{"non_field_errors": [...]}``.
FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": '字段错误：{"字段": ["原因"]}；与单个字段无关的错误为 {"detail": "原因"}',
    "additionalProperties": {},
    "minProperties": 1,
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema plus the documented error answers (see the module docstring)."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses: dict[str, Any] = operation.setdefault("responses", {})
        for code, (component, description) in self._error_answers(operation).items():
            responses.setdefault(code, {"content": self._body(component), "description": str(description)})
        for code, answer in responses.items():
            # An error a view documented by its description alone gets the body it really has.
            if code.startswith("4") and not answer.get("content"):
                answer["content"] = self._body(self._fields() if code == "400" else self._detail())
        return operation

    @staticmethod
    def _body(component: ResolvedComponent) -> dict[str, Any]:
        return {"application/json": {"schema": component.ref}}

    def _detail(self) -> ResolvedComponent:
        return self._component("ErrorDetail", ERROR_DETAIL)

    def _fields(self) -> ResolvedComponent:
        return self._component("FieldErrors", FIELD_ERRORS)

    def _component(self, name: str, schema: dict[str, Any]) -> ResolvedComponent:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
        self.registry.register_on_missing(component)
        return component

    def _needs_login(self) -> bool:
        return not all(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _error_answers(self, operation: dict[str, Any]) -> dict[str, tuple[ResolvedComponent, Any]]:
        detail, fields = self._detail(), self._fields()
        parameters = operation.get("parameters", [])
        has_query = any(p.get("in") == "query" for p in parameters)
        has_path_id = any(p.get("in") == "path" for p in parameters)
        has_body = "requestBody" in operation
        answers: dict[str, tuple[ResolvedComponent, Any]] = {}
        if has_body or has_query:
            answers["400"] = (fields, _("请求有误：字段错误或参数错误"))
        if self._needs_login():
            answers["401"] = (detail, _("未登录：缺少或无效的令牌"))
            answers["403"] = (detail, _("岗位或所属项目无权执行此操作"))
        if has_path_id or (self.method == "GET" and self._is_list_view()):
            answers["404"] = (detail, _("不存在，或属于您看不到的项目；列表页码超出范围"))
        if self.method in WRITE_METHODS and self._needs_login():
            answers["409"] = (detail, _("记录已被他人修改或当前状态不允许此操作，请刷新后重试"))
        if has_body:
            answers["413"] = (detail, _("请求内容过大"))
        if self.view.get_throttles():
            answers["429"] = (detail, _("请求过于频繁，请稍后再试"))
        return answers
