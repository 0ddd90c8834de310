from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "guanjia.workdays"
    label = "workdays"
