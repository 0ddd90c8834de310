from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件（.xlsx）"),
        error_messages={"required": _("请选择要上传的 .xlsx 文件"), "empty": _("上传的文件是空的")},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    create_buildings = forms.BooleanField(
        label=_("自动创建不存在的楼栋"),
        required=False,
        help_text=_("不勾选时，文件中本项目没有的楼栋会被列为错误。"),
    )
