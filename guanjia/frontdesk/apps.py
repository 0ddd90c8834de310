from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "guanjia.frontdesk"
    label = "frontdesk"
    verbose_name = _("前台台账")

    def ready(self) -> None:
        from guanjia.cases.models import DEADLINE_KIND_LABELS
        from guanjia.estates.services import register_residency_hook
        from guanjia.frontdesk import labels
        from guanjia.timeline.labels import register_verb_family, register_verb_labels

        register_verb_labels(labels.VERB_LABELS)
        for prefix, choices in labels.VERB_FAMILIES.items():
            register_verb_family(prefix, choices)
        for kind, label in labels.DEADLINE_KIND_LABELS.items():
            DEADLINE_KIND_LABELS.setdefault(kind, label)
        from guanjia.frontdesk.services import archive_residency_change, register_ageing_handlers

        register_ageing_handlers()
        register_residency_hook(archive_residency_change)  # F07: moves are recorded in the archive
