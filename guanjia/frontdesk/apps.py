from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "guanjia.frontdesk"
    label = "frontdesk"
    verbose_name = _("前台台账")

    def ready(self) -> None:
        from guanjia.estates.services import register_residency_hook
        from guanjia.frontdesk.services import archive_residency_change, register_ageing_handlers

        register_ageing_handlers()
        register_residency_hook(archive_residency_change)  # F07: moves are recorded in the archive
