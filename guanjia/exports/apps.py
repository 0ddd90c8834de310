from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "guanjia.exports"
    label = "exports"
    verbose_name = _("导出、保存期限与年度回顾")

    def ready(self) -> None:
        from guanjia.cases.periodic import register_periodic
        from guanjia.exports.labels import VERB_LABELS
        from guanjia.exports.services import monthly_exports_keep
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)

        # S03: on the 1st of a month the previous month's flows are exported and kept (idempotent).
        register_periodic("monthly_exports", lambda now: monthly_exports_keep(now=now))
