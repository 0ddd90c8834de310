from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "guanjia.workdays"
    label = "workdays"

    def ready(self) -> None:
        from guanjia.timeline.labels import register_verb_labels
        from guanjia.workdays.labels import VERB_LABELS

        register_verb_labels(VERB_LABELS)
