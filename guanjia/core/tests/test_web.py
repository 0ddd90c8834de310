"""The page side of a write, once (``guanjia.core.web``): a safe ``next``, and refusals told the same way on every
page: a form error is 400 next to the field, a refusal by role 403, a conflict or "not possible now" a 409 message."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from guanjia.core.errors import ConflictError, NotPossible, TransitionError
from guanjia.core.web import attempt, error_messages, post_action, safe_next


def _post(data: dict[str, str] | None = None, *, secure: bool = False, **headers: str) -> HttpRequest:
    request = RequestFactory().post("/somewhere/", data or {}, secure=secure, headers=headers)
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _said(request: HttpRequest) -> list[str]:
    return [str(m) for m in get_messages(request)]


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "x/y"],
)
def test_safe_next_refuses_anything_off_site(target):
    assert safe_next(_post({"next": target}), "/home/") == "/home/"


def test_safe_next_honours_a_local_path_and_resolves_the_default():
    assert safe_next(_post({"next": "/repairs/3/?tab=work"}), "/home/") == "/repairs/3/?tab=work"
    assert safe_next(_post(), "/home/") == "/home/"


def test_safe_next_on_https_refuses_a_plain_http_next_to_the_same_host():
    assert safe_next(_post({"next": "http://testserver/x/"}, secure=True), "/home/") == "/home/"


class _Form(forms.Form):
    text = forms.CharField(required=False)


def test_validation_error_names_the_field_by_its_label():
    exc = ValidationError({"text": ["请填写"], "__all__": ["整体不对"]})
    assert error_messages(exc, {"text": "内容"}) == ["内容：请填写", "整体不对"]


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ValidationError({"text": "请填写"}), 400),
        (ConflictError("记录已被他人修改"), 409),
        (NotPossible("已签字，不能修改"), 409),
        (TransitionError("已关闭"), 409),
    ],
)
def test_attempt_maps_each_refusal_once_and_tells_the_user(exc, status):
    request = _post()

    def refuse() -> Any:
        raise exc

    outcome = attempt(request, refuse, labels={"text": "内容"})
    assert outcome.status == status and not outcome.ok
    assert _said(request)


@pytest.mark.parametrize("exc", [PermissionError("no"), PermissionDenied()])
def test_a_refusal_by_role_is_403(exc):
    def refuse() -> Any:
        raise exc

    with pytest.raises(PermissionDenied):
        post_action(_post(), refuse, default="/home/")


def test_post_action_shows_the_message_and_goes_to_the_safe_next():
    request = _post({"next": "//evil.example"})
    response = post_action(request, lambda: "已保存", default="/home/")
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert _said(request) == ["已保存"]


def test_post_action_re_renders_a_form_with_the_service_error_next_to_the_field():
    request = _post({"text": "x"})
    form = _Form(request.POST)

    def refuse() -> Any:
        raise ValidationError({"text": "太短"})

    response = post_action(
        request, refuse, default="/home/", form=form, invalid=lambda f: HttpResponse(str(f.errors), status=400)
    )
    assert response.status_code == 400 and "太短" in response.content.decode()


def test_post_action_asks_htmx_to_reload_to_show_a_refusal():
    request = _post(HX_Request="true")

    def refuse() -> Any:
        raise NotPossible("已交班")

    response = post_action(request, refuse, default="/home/")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert _said(request) == ["已交班"]


def test_a_form_the_page_does_not_re_render_is_told_field_by_field_and_goes_back():
    class Needs(forms.Form):
        text = forms.CharField()

    request = _post({"next": "/back/"})
    form = Needs(request.POST)
    response = post_action(request, lambda: "不会执行", default="/home/", form=form, labels={"text": "内容"})
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert [m for m in _said(request) if m.startswith("内容：")]


def test_a_page_may_say_a_conflict_its_own_way():
    request = _post()

    def stale() -> Any:
        raise ConflictError("version")

    post_action(request, stale, default="/home/", conflict="这条投诉已被他人修改，请查看最新内容后重新填写")
    assert _said(request) == ["这条投诉已被他人修改，请查看最新内容后重新填写"]
