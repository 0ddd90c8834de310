from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "guanjia.visits"
    label = "visits"
    verbose_name = "回访"
