"""Forms of the calendar page: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanjia.workdays.models import CalendarDay


class DayAction:
    HOLIDAY = "holiday"
    WORKDAY = "workday"
    RESET = "reset"
    CHOICES = [
        (HOLIDAY, _("休息（法定节假日）")),
        (WORKDAY, _("上班（调休工作日）")),
        (RESET, _("恢复默认")),
    ]


class DayForm(forms.Form):
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": _("请填写日期"), "invalid": _("日期格式不正确，应为“年-月-日”，如2027-10-01")},
    )
    action = forms.ChoiceField(
        label=_("设为"),
        choices=DayAction.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择休息、上班或恢复默认"), "invalid_choice": _("请选择休息、上班或恢复默认")},
    )
    name = forms.CharField(
        label=_("名称"),
        required=False,
        max_length=CalendarDay._meta.get_field("name").max_length,
        help_text=_("如“国庆节”“国庆节调休”"),
        error_messages={"max_length": _("名称不能超过%(limit_value)d个字")},
    )


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("年份"),
        min_value=1,
        max_value=9999,
        error_messages={
            "required": _("请填写年份"),
            "invalid": _("年份必须是数字"),
            "min_value": _("年份必须在1到9999之间"),
            "max_value": _("年份必须在1到9999之间"),
        },
    )


class NoticeForm(forms.Form):
    """The State Council's holiday notice of a year, pasted as text (or a table copied from a web page)."""

    year = YearForm.base_fields["year"]
    text = forms.CharField(
        label=_("国务院通知内容"),
        widget=forms.Textarea(
            # the notice is published in Chinese: its sample stays Chinese on an English page too
            attrs={
                "rows": 8,
                "lang": "zh-Hans",
                "placeholder": "春节：2月15日至23日放假调休，共9天。2月14日（周六）上班。",
            }
        ),
        max_length=20000,
        help_text=_("每个节日一行，可直接粘贴通知全文或网页上的表格"),
        error_messages={
            "required": _("请粘贴国务院通知的内容"),
            "max_length": _("通知内容太长（最多%(limit_value)d个字）"),
        },
    )
