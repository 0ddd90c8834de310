from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "guanjia.policy"
    label = "policy"
    verbose_name = _("服务标准参数")

    def ready(self) -> None:
        from guanjia.policy.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
