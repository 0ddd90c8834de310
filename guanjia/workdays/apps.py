from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "guanjia.workdays"
    label = "workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from guanjia.timeline.labels import register_verb_labels
        from guanjia.workdays.labels import VERB_LABELS

        register_verb_labels(VERB_LABELS)
