"""A small concrete case for the tests of the case core (installed only by the test settings)."""

from __future__ import annotations

from django.db import models

from guanjia.cases.models import Case


class TicketStatus(models.TextChoices):
    OPEN = "open", "待处理"
    DISPATCHED = "dispatched", "已派单"
    DONE = "done", "已完成"
    CLOSED = "closed", "已关闭"


class Ticket(Case):
    CASE_TYPE = "ticket"
    NUMBER_PREFIX = "TK"
    ALLOWED_TRANSITIONS = {
        TicketStatus.OPEN: frozenset({TicketStatus.DISPATCHED, TicketStatus.CLOSED}),
        TicketStatus.DISPATCHED: frozenset({TicketStatus.DONE}),
        TicketStatus.DONE: frozenset({TicketStatus.CLOSED}),
    }

    status = models.CharField("状态", max_length=24, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    description = models.TextField(blank=True)

    class Meta(Case.Meta):
        pass


class Errand(Case):
    """A second concrete case: with Ticket it proves two subclasses of Case install side by side
    (their reverse names, ``project.tickets`` and ``project.errands``, do not clash)."""

    CASE_TYPE = "errand"
    NUMBER_PREFIX = "ER"
    ALLOWED_TRANSITIONS = {"open": frozenset({"done"})}

    status = models.CharField("状态", max_length=24, default="open")

    class Meta(Case.Meta):
        pass
