from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "guanjia.ops"
    label = "ops"
    verbose_name = _("运行状态")

    def ready(self) -> None:
        from guanjia.cases.periodic import register_periodic
        from guanjia.ops.services import SWEEP, heartbeat_record

        # Every finished round of the periodic work (thread, `manage.py sweeper` or Celery beat) leaves its
        # time, so /readyz can tell an operator when no process sweeps any more. A round whose deadline sweep
        # raised never gets here (run_periodic raises before the jobs).
        register_periodic("sweep_heartbeat", lambda now: heartbeat_record(SWEEP, now=now))
