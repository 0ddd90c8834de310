from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "guanjia.desk"
    label = "desk"
