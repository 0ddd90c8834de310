from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "guanjia.cases"
    label = "cases"
    verbose_name = _("案件")

    def ready(self) -> None:
        from guanjia.timeline.labels import register_verb_labels

        # The sweep writes these on any subject whose deadline falls due.
        register_verb_labels({"deadline.missed": _("时限已过"), "deadline.reminded": _("时限提醒")})
