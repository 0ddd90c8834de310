from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guanjia.accounts"
    label = "accounts"

    def ready(self) -> None:
        from guanjia.accounts import lockout  # noqa: F401  (connects the lockout log line)
        from guanjia.accounts.labels import VERB_LABELS
        from guanjia.timeline.labels import register_verb_labels

        register_verb_labels(VERB_LABELS)
