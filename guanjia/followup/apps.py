from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "guanjia.followup"
    label = "followup"
    verbose_name = _("跟踪服务")

    def ready(self) -> None:
        from guanjia.cases.periodic import register_periodic
        from guanjia.followup.labels import VERB_FAMILIES, VERB_LABELS
        from guanjia.timeline.labels import register_verb_family, register_verb_labels

        register_verb_labels(VERB_LABELS)
        for prefix, choices in VERB_FAMILIES.items():
            register_verb_family(prefix, choices)
        from guanjia.followup.services import register_followup_handlers, survey_open_due_rounds

        register_followup_handlers()
        register_periodic("followup_survey_rounds", lambda now: survey_open_due_rounds(now=now))

        from guanjia.accounts.workload import OpenWork, register_open_work
        from guanjia.followup.models import FollowUpCall

        # 人员管理's switch-off page: a person's pending follow-up calls, handed on in bulk by T05's page.
        register_open_work(
            OpenWork(
                key="followup_calls",
                label=_("跟踪服务电话"),
                open_rows=lambda person: (
                    FollowUpCall.objects.filter(assignee=person, status__in=FollowUpCall.OPEN_STATUSES)
                    .select_related("project", "customer")
                    .order_by("due_at", "id")
                ),
                url_name="followup:call",
                reassign_url_name="followup:reassign",
            )
        )
