from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "guanjia.cases"
    label = "cases"
    verbose_name = "案件"
