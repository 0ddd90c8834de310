from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "guanjia.exports"
    label = "exports"
    verbose_name = _("导出、保存期限与年度回顾")

    def ready(self) -> None:
        from guanjia.cases.periodic import register_periodic
        from guanjia.exports.labels import VERB_LABELS
        from guanjia.exports.services import export_jobs_recover, monthly_exports_keep, monthly_exports_remind
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)

        # S03, V10: from the 1st of a month until the 10th the previous month's flows and visit records are
        # queued for export and kept (idempotent; the files are made in the background, never inside the sweep).
        register_periodic("monthly_exports", lambda now: monthly_exports_keep(now=now))
        # V10: a month whose kept export (with the visit records) is not done by the 10th is reminded, once.
        register_periodic("monthly_exports_remind", lambda now: monthly_exports_remind(now=now))
        # Jobs the queue lost or whose worker died are queued again, and failed after a few tries.
        register_periodic("export_recovery", export_jobs_recover)
