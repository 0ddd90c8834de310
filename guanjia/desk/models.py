from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FirstRunDismissal(models.Model):
    """A person put their estate's set-up checklist away once every item was done (``guanjia.desk.firstrun``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("员工"), on_delete=models.CASCADE)
    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.CASCADE)
    dismissed_at = models.DateTimeField(_("关闭时间"))

    class Meta:
        verbose_name = _("开通清单关闭记录")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="desk_first_run_once")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.project_id}"
