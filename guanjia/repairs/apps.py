from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "guanjia.repairs"
    label = "repairs"
