from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "guanjia.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from guanjia.reports.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
