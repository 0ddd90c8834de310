"""What the dutylog pages share: the current project, parsing of form values with errors that name the
field, and the post-redirect-get answer to a write."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.accounts.models import User
from guanjia.core.web import post_action, redirect_next
from guanjia.estates.models import Project, Unit

#: Field names as the forms label them, for error messages ("来电人：请填写来电人。").
FIELD_LABELS: dict[str, Any] = {
    "kind": gettext_lazy("类别"),
    "name": gettext_lazy("名称"),
    "starts_at": gettext_lazy("开始时间"),
    "ends_at": gettext_lazy("结束时间"),
    "on_duty": gettext_lazy("值班人员"),
    "area": gettext_lazy("区域"),
    "result": gettext_lazy("结果"),
    "note": gettext_lazy("说明"),
    "repair_ref": gettext_lazy("维修单号"),
    "text": gettext_lazy("内容"),
    "at": gettext_lazy("时间"),
    "caller": gettext_lazy("来电人"),
    "phone": gettext_lazy("电话"),
    "about": gettext_lazy("事由"),
    "outcome": gettext_lazy("结果"),
    "to_user": gettext_lazy("转告给"),
    "message": gettext_lazy("转告内容"),
    "question": gettext_lazy("待答复问题"),
    "assignee": gettext_lazy("负责人"),
    "due_at": gettext_lazy("答复期限"),
    "answer": gettext_lazy("答复内容"),
    "category": gettext_lazy("类别"),
    "room": gettext_lazy("会议室"),
    "booked_for": gettext_lazy("使用人"),
    "purpose": gettext_lazy("用途"),
    "check_note": gettext_lazy("设施检查情况"),
    "title": gettext_lazy("标题"),
    "body": gettext_lazy("正文"),
    "locations": gettext_lazy("张贴位置"),
    "take_down_due": gettext_lazy("计划撤下时间"),
    "unit": gettext_lazy("房屋"),
    "period": gettext_lazy("所属期间"),
    "amount": gettext_lazy("金额"),
    "owner": gettext_lazy("负责人"),
    "plan": gettext_lazy("催缴安排"),
    "method": gettext_lazy("方式"),
    "next_at": gettext_lazy("下次跟进日期"),
    "number": gettext_lazy("车位号"),
    "holder": gettext_lazy("使用人"),
    "plate": gettext_lazy("车牌"),
    "valid_from": gettext_lazy("起始日期"),
    "valid_to": gettext_lazy("到期日期"),
    "status": gettext_lazy("状态"),
    "paid_at": gettext_lazy("缴清时间"),
    "capacity": gettext_lazy("容纳人数"),
}


def current_project(request: HttpRequest) -> Project:
    """The project chosen in the switcher; the middleware has checked it against the access policy."""
    project: Project | None = getattr(request, "project", None)
    if project is None:
        raise Http404(_("您还没有被分配到任何项目。"))
    return project


def back(request: HttpRequest, default: str, *args: Any) -> HttpResponse:
    return redirect_next(request, default, *args)


def write_view(default: str) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """A POST-only page action (``guanjia.core.web.post_action``): runs the write, shows its errors as messages
    naming the field, and answers with a redirect (to ``next`` or ``default``). A view returns a message string
    to show on success, or a response of its own."""

    def decorate(func: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(func)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                return HttpResponse(status=405, headers={"Allow": "POST"})
            return post_action(request, lambda: func(request, *args, **kwargs), default=default, labels=FIELD_LABELS)

        return view

    return decorate


def parse_when(raw: str | None, field: str, *, required: bool = True) -> datetime | None:
    """A ``datetime-local`` value ("2026-11-22T14:30") in the server's zone."""
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise ValidationError({field: _("请填写时间。")})
        return None
    value = parse_datetime(raw)
    if value is None:
        raise ValidationError({field: _("时间格式不正确，如 2026-11-22 14:30。")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def parse_day(raw: str | None, field: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({field: _("日期格式不正确，如 2026-11-22。")})
    return value


def parse_int(raw: str | None, field: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({field: _("请输入整数。")})
    return int(raw)


def project_staff(project: Project) -> list[User]:
    return list(User.objects.filter(projects=project, is_active=True).order_by("name", "id"))


def staff_member(project: Project, raw: str | None, field: str, *, required: bool = True) -> User | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise ValidationError({field: _("请选择员工。")})
        return None
    user = User.objects.filter(projects=project, is_active=True, pk=raw if raw.isdigit() else -1).first()
    if user is None:
        raise ValidationError({field: _("该员工不在本项目。")})
    return user


_UNIT_RE = re.compile(r"^\s*(?P<b>[^-栋\s]+)\s*(?:栋|-)\s*(?:(?P<e>[^-单\s]+)\s*(?:单元|-)\s*)?(?P<r>[^-\s]+)\s*$")


def find_unit(project: Project, raw: str | None, field: str = "unit") -> Unit:
    """A unit of ``project`` from what the desk types: "3-2-1201", "3栋2单元1201" or "3-1201"."""
    match = _UNIT_RE.match(raw or "")
    if not match:
        raise ValidationError({field: _("请按“楼栋-单元-房号”填写，如 3-2-1201。")})
    unit = (
        Unit.objects.filter(
            project=project,
            building__number=match["b"],
            entrance=match["e"] or "",
            room=match["r"],
        )
        .select_related("building")
        .first()
    )
    if unit is None:
        raise ValidationError({field: _("本项目没有房屋 %(unit)s。") % {"unit": raw}})
    return unit
