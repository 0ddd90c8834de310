from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "guanjia.complaints"
    label = "complaints"
    verbose_name = _("投诉")

    def ready(self) -> None:
        from guanjia.complaints.handlers import register

        register()
