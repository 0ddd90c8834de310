from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "guanjia.reports"
    label = "reports"
    verbose_name = _("统计报表")

    def ready(self) -> None:
        from guanjia.reports.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
