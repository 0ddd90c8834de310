from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "guanjia.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from guanjia.cases.periodic import register_periodic
        from guanjia.notifications.outbox import run_worker
        from guanjia.notifications.webhooks import on_event_saved
        from guanjia.timeline.models import Event

        # The outbox is delivered by the sweep (in-process thread, or the Celery beat with Redis).
        register_periodic("notification_outbox", run_worker)
        post_save.connect(on_event_saved, sender=Event, dispatch_uid="notifications.webhooks")
