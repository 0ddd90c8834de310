from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "guanjia.complaints"
    label = "complaints"
    verbose_name = _("投诉")

    def ready(self) -> None:
        from guanjia.complaints.handlers import register
        from guanjia.complaints.labels import VERB_LABELS
        from guanjia.complaints.models import ComplaintStatus
        from guanjia.timeline.labels import register_status_verbs, register_verb_labels

        register()
        register_verb_labels(VERB_LABELS)
        register_status_verbs("complaint", ComplaintStatus)

        from guanjia.cases.kinds import CaseKind, limit_kept, register_case_kind
        from guanjia.complaints.models import OPEN_STATUSES, Complaint

        # The one declaration reports, exports and visits read: done = completed or closed (投诉办结率);
        # on time = the resolve limit kept (C13, judged by the recorded step times, C11).
        register_case_kind(
            CaseKind(
                model=Complaint,
                open_statuses=tuple(OPEN_STATUSES),
                done_statuses=(ComplaintStatus.COMPLETED, ComplaintStatus.CLOSED),
                on_time=limit_kept("resolve"),
            )
        )

        from django.db.models import Q

        from guanjia.accounts.workload import OpenWork, register_open_work

        # 人员管理's switch-off page: open complaints a person handles, or owns as first responder (C01).
        register_open_work(
            OpenWork(
                key="complaints",
                label=_("投诉"),
                open_rows=lambda person: (
                    Complaint.objects.filter(status__in=OPEN_STATUSES)
                    .filter(Q(assignee=person) | Q(assignee__isnull=True, first_responder=person))
                    .select_related("project")
                    .order_by("received_at", "id")
                ),
                url_name="complaints:detail",
            )
        )
