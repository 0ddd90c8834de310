"""Staff in Django's admin, for superusers: Django's UserAdmin plus role, projects and the timeline. The desk's
人员管理 (``accounts.views``) is the everyday way; here every change still lands on the person's timeline and
a password reset goes through ``services.staff_reset_password`` (one-time, changed at next login)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.accounts import services
from guanjia.accounts.access import COMPANY_ROLES, mask_phone
from guanjia.accounts.models import User
from guanjia.timeline.services import record


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "name", "role", "project_names", "company_wide", "is_active", "must_change_password"]
    list_filter = ["role", "is_active", "company_wide", "projects", "must_change_password", "is_superuser"]
    search_fields = ["username", "name", "phone"]
    ordering = ["id"]
    filter_horizontal = ["projects", "groups", "user_permissions"]
    readonly_fields = ["must_change_password", "last_login", "date_joined"]
    actions = ["reset_passwords"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("人员"), {"fields": ("name", "phone", "role", "company", "company_wide", "projects")}),
        (
            gettext_lazy("权限"),
            {"fields": ("is_active", "must_change_password", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (gettext_lazy("人员"), {"fields": ("name", "phone", "role", "company", "projects")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("projects")

    @admin.display(description=gettext_lazy("所属项目"))
    def project_names(self, user: User) -> str:
        return "、".join(p.name for p in user.projects.all()) or "—"

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # The admin wraps the save in a transaction: the events commit or roll back with the change.
        now = timezone.now()
        if not change:
            obj.company_wide = obj.role in COMPANY_ROLES
            super().save_model(request, obj, form, change)
            record(
                subject=obj, verb="staff.created", actor=request.user, at=now, data={"role": obj.role, "admin": True}
            )
            return
        before = User.objects.get(pk=obj.pk)
        obj.version = before.version + 1
        super().save_model(request, obj, form, change)
        details = {f: getattr(obj, f) for f in ("name", "phone") if getattr(obj, f) != getattr(before, f)}
        if details:
            shown = {f: (mask_phone(v) if f == "phone" and v else v) for f, v in details.items()}
            record(subject=obj, verb="staff.updated", actor=request.user, at=now, data={"after": shown, "admin": True})
        if obj.role != before.role:
            data = {"from": before.role, "to": obj.role, "admin": True}
            record(subject=obj, verb="staff.role_changed", actor=request.user, at=now, data=data)
        if obj.is_active != before.is_active:
            verb = "staff.switched_on" if obj.is_active else "staff.switched_off"
            record(subject=obj, verb=verb, actor=request.user, at=now, data={"admin": True})
        request._guanjia_projects_before = list(before.projects.order_by("id").values_list("id", flat=True))  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_guanjia_projects_before", None)
        person = form.instance
        after = list(person.projects.order_by("id").values_list("id", flat=True))
        if before is not None and before != after:
            data = {"from": before, "to": after, "admin": True}
            record(subject=person, verb="staff.projects_changed", actor=request.user, at=timezone.now(), data=data)

    @admin.action(description=gettext_lazy("重置密码（生成一次性密码，下次登录须修改）"))
    def reset_passwords(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for person in queryset:
            try:
                password = services.staff_reset_password(person=person, actor=request.user, now=timezone.now())
            except PermissionError:
                messages.error(request, _("无权重置 %(name)s 的密码") % {"name": person.display_name})
                continue
            # Shown once, in this answer's message: the password is stored nowhere in clear.
            messages.warning(
                request,
                _("%(name)s（%(username)s）的一次性密码：%(password)s")
                % {"name": person.display_name, "username": person.username, "password": password},
            )
