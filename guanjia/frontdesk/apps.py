from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "guanjia.frontdesk"
    label = "frontdesk"
    verbose_name = _("前台台账")

    def ready(self) -> None:
        from guanjia.frontdesk.services import register_ageing_handlers

        register_ageing_handlers()
