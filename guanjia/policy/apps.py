from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "guanjia.policy"
    label = "policy"

    def ready(self) -> None:
        from guanjia.policy.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
