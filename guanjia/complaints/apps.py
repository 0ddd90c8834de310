from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "guanjia.complaints"
    label = "complaints"
    verbose_name = _("投诉")

    def ready(self) -> None:
        from guanjia.complaints.handlers import register
        from guanjia.complaints.labels import VERB_LABELS
        from guanjia.complaints.models import ComplaintStatus
        from guanjia.timeline.labels import register_status_verbs, register_verb_labels

        register()
        register_verb_labels(VERB_LABELS)
        register_status_verbs("complaint", ComplaintStatus)
