from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "guanjia.repairs"
    label = "repairs"
    verbose_name = "报修"

    def ready(self) -> None:
        from guanjia.cases.services import register_deadline_handler
        from guanjia.repairs.labels import VERB_LABELS
        from guanjia.repairs.models import RepairStatus
        from guanjia.repairs.services import on_deadline_missed
        from guanjia.timeline.labels import register_status_verbs, register_verb_labels

        register_verb_labels(VERB_LABELS)
        register_status_verbs("repair", RepairStatus)

        for kind in ("order", "notify", "assess", "arrive"):
            register_deadline_handler("repairs.repair", kind, on_missed=on_deadline_missed)
