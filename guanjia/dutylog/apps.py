from django.apps import AppConfig


class DutylogConfig(AppConfig):
    name = "guanjia.dutylog"
    label = "dutylog"
    verbose_name = "值班与前台日常"
