from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guanjia.accounts"
    label = "accounts"
    verbose_name = _("人员与权限")

    def ready(self) -> None:
        from guanjia.accounts import lockout  # noqa: F401  (connects the lockout log line)
        from guanjia.accounts.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
