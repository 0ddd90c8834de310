"""The page side of a write, once: where to go back to (``safe_next``), how a refused write is told to the user
(``refusal``), and the post-action helper that runs a service and answers (``post_action``).

Errors are mapped here and nowhere else:

- ``ValidationError``: 400; on the form next to the field when the page re-renders one, otherwise one message
  per error naming the field.
- ``PermissionDenied`` / ``PermissionError``: 403.
- ``ConflictError`` / ``NotPossible``: 409, the reason as a message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from guanjia.core.errors import ConflictError, NotPossible

#: A valid request the service refused; a ``PermissionError`` is not one of them (it is a 403).
REFUSALS = (ValidationError, ConflictError, NotPossible)
_CAUGHT = (*REFUSALS, PermissionError)
#: How a service's error key is named on a form: a mapping (missing keys keep their name) or a function; None
#: puts the error at the top of the form.
Aliases = Mapping[str, str | None] | Callable[[str], str | None]


def safe_next(request: HttpRequest, default: str, *args: Any, **kwargs: Any) -> str:
    """The ``next`` the form (or the query) carries when it stays on this site, else ``default`` (a URL, a
    URL name or a model, resolved with ``args``/``kwargs`` like ``redirect``).

    Refuses another host (``https://evil.example``, ``//evil.example``, ``/\\evil.example``), any scheme but the
    request's own (no ``http`` next from an ``https`` page, no ``javascript:``), and anything not a path."""
    wanted = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if wanted and _on_site(request, wanted):
        return wanted
    return resolve_url(default, *args, **kwargs)


def _on_site(request: HttpRequest, url: str) -> bool:
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def redirect_next(request: HttpRequest, default: str, *args: Any, **kwargs: Any) -> HttpResponseRedirect:
    """A redirect to ``safe_next``."""
    return redirect(safe_next(request, default, *args, **kwargs))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_messages(exc: ValidationError, labels: Mapping[str, Any] | None = None) -> list[str]:
    """A ValidationError as lines for a message: with ``labels``, "<field label>：<message>" (the field's own
    name when it has no label) and errors not tied to a field alone; without, the messages alone."""
    if labels is None or not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    return [
        str(m) if field == NON_FIELD_ERRORS else f"{labels.get(field, field)}：{m}"
        for field, errors in exc.message_dict.items()
        for m in errors
    ]


def apply_errors(form: forms.Form, exc: ValidationError, aliases: Aliases | None = None) -> None:
    """Put a service's ValidationError next to the form fields it names (``aliases`` renames a service key to a
    field, or to None for the top of the form); the rest goes at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        name = _field_name(key, aliases)
        form.add_error(name if name in form.fields else None, errors)


def _field_name(key: str, aliases: Aliases | None) -> str | None:
    if aliases is None:
        return key
    if callable(aliases):
        return aliases(key)
    return aliases.get(key, key)


def refusal(
    request: HttpRequest,
    exc: Exception,
    *,
    labels: Mapping[str, Any] | None = None,
    form: forms.Form | None = None,
    aliases: Aliases | None = None,
    conflict: str | None = None,
) -> int:
    """Tell the user why the write was refused and answer its HTTP status (400 or 409).

    A ``ValidationError`` goes onto ``form`` when there is one, else into messages naming the field
    (``labels``); a conflict or "not possible now" becomes a message (``conflict`` replaces a conflict's own
    text, for pages that say it their way). A ``PermissionError`` raises ``PermissionDenied`` (403); anything
    else is re-raised."""
    if isinstance(exc, PermissionError):
        raise PermissionDenied from exc
    if isinstance(exc, ValidationError):
        if form is not None:
            apply_errors(form, exc, aliases)
        else:
            for line in error_messages(exc, labels):
                messages.error(request, line)
        return 400
    if isinstance(exc, ConflictError):
        messages.error(request, conflict or str(exc) or _("记录已被他人修改，请刷新后重试"))
        return 409
    if isinstance(exc, NotPossible):
        messages.error(request, str(exc) or _("当前状态下不能执行此操作"))
        return 409
    raise exc


@dataclass(frozen=True)
class Outcome:
    """What ``attempt`` got: the service's result, or the status of the refusal (already told to the user)."""

    result: Any = None
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status < 400


def attempt(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    labels: Mapping[str, Any] | None = None,
    form: forms.Form | None = None,
    aliases: Aliases | None = None,
    conflict: str | None = None,
) -> Outcome:
    """Run ``call`` (the service) and map what it raises once (``refusal``)."""
    try:
        return Outcome(result=call())
    except _CAUGHT as exc:
        return Outcome(status=refusal(request, exc, labels=labels, form=form, aliases=aliases, conflict=conflict))


def post_action(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    default: str,
    done: Any = None,
    labels: Mapping[str, Any] | None = None,
    form: forms.Form | None = None,
    invalid: Callable[[forms.Form], HttpResponse] | None = None,
    success: str | None = None,
    refused: str | None = None,
    aliases: Aliases | None = None,
    conflict: str | None = None,
) -> HttpResponse:
    """A page's write: form → service → message → back.

    - ``form`` (optional) is validated first; ``call`` runs only when it is valid (it reads
      ``form.cleaned_data``). An invalid form, or a service ValidationError put on it, answers ``invalid(form)``
      (the page re-rendered with the errors inline, status 400).
    - ``call`` returns a response of its own (answered as is); otherwise ``done`` is shown, or, without it, the
      message ``call`` returned.
    - Refusals become messages (``refusal``); an htmx request then reloads the page to show them
      (``HX-Refresh``), any other goes back to ``refused`` or to the safe ``next``/``default``.
    - Success goes to ``success`` or to the safe ``next``/``default``.
    """
    on_form = form if invalid is not None else None
    if form is not None and not form.is_valid():
        if invalid is not None:
            return invalid(form)
        for line in error_messages(ValidationError(form.errors.as_data()), labels):
            messages.error(request, line)
        return _refused(request, default, refused)
    outcome = attempt(request, call, labels=labels, form=on_form, aliases=aliases, conflict=conflict)
    if not outcome.ok:
        if outcome.status == 400 and on_form is not None and invalid is not None:
            return invalid(on_form)
        return _refused(request, default, refused)
    if isinstance(outcome.result, HttpResponse):
        return outcome.result
    message = done if done is not None else outcome.result if isinstance(outcome.result, str) else None
    if message:
        messages.success(request, str(message))
    return redirect(success or safe_next(request, default))


def _refused(request: HttpRequest, default: str, refused: str | None) -> HttpResponse:
    if is_htmx(request):
        # htmx reloads the page, which shows the messages.
        return HttpResponse(status=200, headers={"HX-Refresh": "true"})
    return redirect(refused or safe_next(request, default))


__all__ = [
    "REFUSALS",
    "Outcome",
    "apply_errors",
    "attempt",
    "error_messages",
    "is_htmx",
    "post_action",
    "redirect_next",
    "refusal",
    "safe_next",
]
