"""Staff and roles (O02). A member of staff is a login; roles, not people, are written in the rules."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GENERAL_MANAGER = "general_manager", _("总经理")
    OFFICE_MANAGER = "office_manager", _("管理处经理")
    CS_SUPERVISOR = "cs_supervisor", _("客服主管")
    FRONT_DESK = "front_desk", _("前台")
    BUTLER = "butler", _("管家")
    CUSTOMER_ASSISTANT = "customer_assistant", _("客户助理")
    ENGINEERING_SUPERVISOR = "engineering_supervisor", _("工程主管")
    TECHNICIAN = "technician", _("维修技工")
    SECURITY = "security", _("秩序维护")
    ENVIRONMENT = "environment", _("环境主管")
    CONTRACTOR = "contractor", _("外包单位")


class User(AbstractUser):
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    role = models.CharField(_("岗位"), max_length=32, choices=Role.choices, default=Role.FRONT_DESK)
    company = models.ForeignKey(
        "estates.Company", verbose_name=_("公司"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    company_wide = models.BooleanField(_("公司级"), default=False, help_text=_("公司级人员可查看本公司全部项目 (O04)"))
    projects = models.ManyToManyField("estates.Project", verbose_name=_("所属项目"), blank=True, related_name="staff")
    must_change_password = models.BooleanField(
        _("须修改密码"), default=False, help_text=_("一次性密码登录后须先设置新密码")
    )
    # Optimistic lock for staff changes made on the desk and through the API (a stale edit answers 409).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username
