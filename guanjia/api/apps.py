from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "guanjia.api"
    label = "api"
