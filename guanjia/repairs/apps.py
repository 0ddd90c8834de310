from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "guanjia.repairs"
    label = "repairs"
    verbose_name = _("报修")

    def ready(self) -> None:
        from guanjia.cases.services import register_deadline_handler
        from guanjia.repairs.labels import VERB_LABELS
        from guanjia.repairs.models import RepairStatus
        from guanjia.repairs.services import on_deadline_missed
        from guanjia.repairs.services.closing import on_deadline_missed_many
        from guanjia.timeline.labels import register_status_verbs, register_verb_labels

        register_verb_labels(VERB_LABELS)
        register_status_verbs("repair", RepairStatus)

        from guanjia.cases.kinds import CaseKind, done_with_no_limit_missed, register_case_kind
        from guanjia.repairs.models import OPEN_STATUSES, Repair

        # The one declaration reports, exports and visits read: done = completed, back at the desk (R11) or
        # closed; on time (维修及时率) = done with none of its limits (order, notify, assess, arrive) missed.
        register_case_kind(
            CaseKind(
                model=Repair,
                open_statuses=tuple(OPEN_STATUSES),
                done_statuses=(RepairStatus.COMPLETED, RepairStatus.RETURNED, RepairStatus.CLOSED),
                on_time=done_with_no_limit_missed,
            )
        )

        from django.utils.translation import gettext_lazy as _

        from guanjia.accounts.workload import OpenWork, register_open_work

        # 人员管理's switch-off page: the open orders a person has accepted.
        register_open_work(
            OpenWork(
                key="repairs",
                label=_("报修"),
                open_rows=lambda person: (
                    Repair.objects.filter(assignee=person, status__in=OPEN_STATUSES)
                    .select_related("project")
                    .order_by("received_at", "id")
                ),
                url_name="repairs:detail",
            )
        )

        for kind in ("order", "notify", "assess", "arrive"):
            register_deadline_handler(
                "repairs.repair", kind, on_missed=on_deadline_missed, on_missed_many=on_deadline_missed_many
            )
