"""The policy settings page (``policy:settings``): managers read it; office managers change their project,
the general manager the company level and any project."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanjia.accounts.access import can_edit_policy, can_manage_master_data
from guanjia.core.errors import ConflictError
from guanjia.estates.models import Company, Project
from guanjia.policy.registry import KEYS, RULE_TITLES
from guanjia.policy.selectors import policy_history, setting_row, setting_rows
from guanjia.policy.services import policy_reset, policy_set


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    if not can_manage_master_data(request.user):
        raise PermissionDenied
    project: Project | None = getattr(request, "project", None)
    if project is None:
        return render(request, "policy/settings.html", {"groups": []})
    company = Company.objects.get(pk=project.company_id)
    if request.method == "POST":
        return _change(request, company, project)
    return _page(request, company, project)


def _page(
    request: HttpRequest, company: Company, project: Project, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    groups = setting_rows(company=company, project=project)
    context = {
        "company": company,
        "project": project,
        "groups": [(rule, RULE_TITLES[rule], rows) for rule, rows in groups.items() if rows],
        "failed": failed or {},
        "history": policy_history(company=company, project=project),
        "keys": KEYS,
        **_permissions(request, company, project),
    }
    return render(request, "policy/settings.html", context, status=status)


def _permissions(request: HttpRequest, company: Company, project: Project) -> dict[str, bool]:
    edit_company = can_edit_policy(request.user, company=company, project=None)
    edit_project = can_edit_policy(request.user, company=company, project=project)
    return {"edit_company": edit_company, "edit_project": edit_project, "can_edit": edit_company or edit_project}


def _change(request: HttpRequest, company: Company, project: Project) -> HttpResponse:
    key = request.POST.get("key", "")
    if key not in KEYS:
        return HttpResponse(_("未知的参数"), status=400)
    scope = request.POST.get("scope", "project")
    target = project if scope == "project" else None
    if not can_edit_policy(request.user, company=company, project=target):
        raise PermissionDenied
    reason = request.POST.get("reason", "").strip()
    errors: list[str] = []
    try:
        if request.POST.get("action") == "reset":
            policy_reset(company=company, project=target, key=key, actor=request.user, reason=reason)
            done = _("已恢复为上级设置")
        else:
            policy_set(
                company=company,
                project=target,
                key=key,
                value=request.POST.get("value", ""),
                actor=request.user,
                reason=reason,
                version=_int(request.POST.get(f"version_{scope}")),
            )
            done = _("已保存")
    except ValidationError as exc:
        errors = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
    except ConflictError as exc:
        errors = [str(exc)]
    failed = {"key": key, "errors": errors, "value": request.POST.get("value", ""), "scope": scope} if errors else {}
    if request.htmx:  # type: ignore[attr-defined]
        row = setting_row(company=company, project=project, key=key)
        context = {"row": row, "failed": failed, "saved": "" if errors else done, "project": project}
        return render(request, "policy/_row.html", {**context, **_permissions(request, company, project)})
    if errors:
        return _page(request, company, project, failed, status=400)
    messages.success(request, f"{KEYS[key].label}：{done}")
    return redirect("policy:settings")


def _int(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return None
