from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "guanjia.estates"
    label = "estates"
    verbose_name = _("项目与住户")

    def ready(self) -> None:
        from guanjia.estates.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
