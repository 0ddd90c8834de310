from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "guanjia.visits"
    label = "visits"
    verbose_name = _("回访")

    def ready(self) -> None:
        from guanjia.cases.completion import EVERY_KIND, on_case_completed
        from guanjia.cases.models import DEADLINE_KIND_LABELS
        from guanjia.cases.services import register_deadline_handler
        from guanjia.timeline.labels import register_verb_labels
        from guanjia.visits import services
        from guanjia.visits.labels import DEADLINE_KIND_LABELS as VISIT_DEADLINE_KINDS
        from guanjia.visits.labels import VERB_LABELS

        register_verb_labels(VERB_LABELS)
        for kind, label in VISIT_DEADLINE_KINDS.items():
            DEADLINE_KIND_LABELS.setdefault(kind, label)

        # V01: a completed case of any kind is visited; planned in the completion's transaction.
        on_case_completed(EVERY_KIND, "visits.plan", services.plan_case_visit)

        # V04: the visit's due time is reminded the day before and flagged overdue once by the shared sweep.
        register_deadline_handler(
            "visits.returnvisit",
            services.VISIT_KIND,
            on_remind=services.on_visit_remind,
            on_missed=services.on_visit_missed,
            on_remind_many=services.on_visit_remind_many,
            on_missed_many=services.on_visit_missed_many,
        )
        # V07: still open 3 days after its planned day: a door-to-door task for the desk.
        register_deadline_handler(
            "visits.returnvisit",
            services.FOLLOWUP_KIND,
            on_missed=services.on_followup_due,
            on_missed_many=services.on_followup_due_many,
        )
