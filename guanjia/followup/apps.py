from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "guanjia.followup"
    label = "followup"
    verbose_name = _("跟踪服务")

    def ready(self) -> None:
        from guanjia.cases.periodic import register_periodic
        from guanjia.followup.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
        from guanjia.followup.services import register_followup_handlers, survey_open_due_rounds

        register_followup_handlers()
        register_periodic("followup_survey_rounds", lambda now: survey_open_due_rounds(now=now))
