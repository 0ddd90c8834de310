from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "guanjia.residents"
    label = "residents"
    verbose_name = _("业主端")

    def ready(self) -> None:
        from guanjia.residents import labels
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(labels.VERB_LABELS)
