"""Forms of 人员管理: the choices offered are only what the administrator may give (``access``); the
services check it again, so a forged form changes nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from guanjia.accounts.access import grantable_roles, staff_admin_projects
from guanjia.accounts.models import Role


class ProjectChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class StaffForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("岗位"))
    projects = ProjectChoices(label=_("所属项目"), queryset=None, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        projects = self.fields["projects"]
        assert isinstance(role, forms.ChoiceField) and isinstance(projects, forms.ModelMultipleChoiceField)
        role.choices = [(r, Role(r).label) for r in grantable_roles(actor)]
        projects.queryset = staff_admin_projects(actor)


class StaffCreateForm(StaffForm):
    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("登录用，字母、数字和 @ . + - _"), widget=forms.TextInput()
    )
    field_order = ["name", "username", "phone", "role", "projects"]


class StaffChangeForm(StaffForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form with the labels the desk uses (the old password is the one-time one, for a new person)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码（一次性密码）")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再次输入新密码")
