from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutylogConfig(AppConfig):
    name = "guanjia.dutylog"
    label = "dutylog"
    verbose_name = _("值班与前台日常")

    def ready(self) -> None:
        from guanjia.cases.periodic import register_periodic
        from guanjia.dutylog import labels
        from guanjia.dutylog.services import handover_flag_unsigned
        from guanjia.timeline.labels import register_verb_family, register_verb_labels

        register_verb_labels(labels.VERB_LABELS)
        for prefix, choices in labels.VERB_FAMILIES.items():
            register_verb_family(prefix, choices)

        register_periodic("unsigned_handovers", lambda now: handover_flag_unsigned(now=now))
