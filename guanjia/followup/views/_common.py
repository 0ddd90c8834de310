"""Plumbing of the follow-up pages: the page decorator, form parsing, field labels, timeline lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from guanjia.accounts.access import (
    can_follow_up,
)
from guanjia.accounts.models import User
from guanjia.core.web import REFUSALS, refusal
from guanjia.estates.models import Project
from guanjia.followup import selectors
from guanjia.timeline.labels import verb_label
from guanjia.timeline.models import Event

FIELD_LABELS = {
    "unit": gettext_lazy("地址（房屋）"),
    "phone": gettext_lazy("电话"),
    "wishes": gettext_lazy("客户希望得到的服务"),
    "served_on": gettext_lazy("服务日期"),
    "serviced": gettext_lazy("服务项目"),
    "cycle_days": gettext_lazy("服务周期"),
    "next_due_on": gettext_lazy("下次服务日期"),
    "first_service_at": gettext_lazy("首次服务时间"),
    "owner": gettext_lazy("负责人"),
    "template": gettext_lazy("跟踪计划模板"),
    "service_at": gettext_lazy("服务时间"),
    "assignee": gettext_lazy("跟踪业务员"),
    "customer": gettext_lazy("客户"),
    "outcome": gettext_lazy("通话结果"),
    "notes": gettext_lazy("谈话要点"),
    "raised": gettext_lazy("客户提出的事项"),
    "raised_kind": gettext_lazy("事项类别"),
    "at": gettext_lazy("时间"),
    "note": gettext_lazy("上报说明"),
    "solution": gettext_lazy("解决办法"),
    "answer": gettext_lazy("答复内容"),
    "name": gettext_lazy("名称"),
    "steps": gettext_lazy("步骤"),
    "held_on": gettext_lazy("活动日期"),
    "subject": gettext_lazy("事由"),
    "sent_on": gettext_lazy("寄出日期"),
    "kind": gettext_lazy("类别"),
    "call": gettext_lazy("邀请电话"),
    "activity": gettext_lazy("活动"),
    "to_user": gettext_lazy("代理人"),
    "from_user": gettext_lazy("原负责人"),
    "reason": gettext_lazy("原因"),
    "grade": gettext_lazy("等级"),
    "channel": gettext_lazy("联系方式"),
    "status": gettext_lazy("状态"),
    "title": gettext_lazy("问卷名称"),
    "questions": gettext_lazy("问题"),
    "schedule": gettext_lazy("周期"),
    "first_round_on": gettext_lazy("开始日期"),
    "round_days": gettext_lazy("开放天数"),
}
LIST_LIMIT = 200


# --- plumbing ----------------------------------------------------------------------------------------------------


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A follow-up page: logged in, a project the user does follow-up work in, GET or POST; a POST the service
    refuses comes back to the same page with the reason (``guanjia.core.web.refusal``)."""

    @login_required
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        project: Project | None = getattr(request, "project", None)
        if project is None or not can_follow_up(request.user, project):
            raise PermissionDenied
        try:
            return view(request, project, *args, **kwargs)
        except REFUSALS as exc:
            if request.method != "POST":
                raise
            refusal(request, exc, labels=FIELD_LABELS)
            return redirect(request.get_full_path())

    return wrapped


def _actor(request: HttpRequest) -> User:
    """The logged-in member of staff (every page here requires a login)."""
    return request.user  # type: ignore[return-value]


def _date(value: str | None, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise ValidationError({field: [_("日期格式不正确")]})
    return parsed


def _datetime(value: str | None, field: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValidationError({field: [_("时间格式不正确")]})
        parsed = datetime.combine(day, datetime.min.time())
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _int(value: str | None, field: str, *, required: bool = True) -> int | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: [_("请填写")]})
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({field: [_("请填写整数")]}) from None


def _staff(project: Project, pk: str | None, field: str) -> User:
    user = selectors.staff_for_followup(project).filter(pk=_int(pk, field) or 0).first()
    if user is None:
        raise ValidationError({field: [_("请选择本项目负责跟踪服务的员工")]})
    return user


def _rows(request: HttpRequest, *names: str) -> list[dict[str, str]]:
    """The repeated rows of a form (several inputs named alike), one dict per row, keyed by the first name."""
    columns = {name: request.POST.getlist(name) for name in names}
    return [
        {name: values[i] if i < len(values) else "" for name, values in columns.items()}
        for i in range(len(columns[names[0]]))
    ]


def _events(subject: Any, limit: int = 50) -> list[tuple[Event, str]]:
    rows = Event.objects.for_subject(subject).select_related("actor").order_by("-at", "-id")[:limit]
    return [(e, verb_label(e.verb)) for e in rows]
