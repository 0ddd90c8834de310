"""Ageing alerts of the custody ledger, through the deadline sweep of ``guanjia.cases`` (F02: a parcel, letter or
left item uncollected too long; F04, F05: a loan or key not back in time). Registered from
``FrontdeskConfig.ready``; the sweep fires each limit exactly once.

Each handler is written for a sweep batch (``*_many(fired, now)``, ``fired`` a list of (deadline, item)): the
rows an alert names (project, owner, unit and building) read once per relation, the desk staff of all the batch's
projects at once (``StaffOfProjects``), the alerts through ``notify_many``; firing 100 limits takes the queries of
firing one. The per-deadline handlers (a deadline fired alone) are the same code with a batch of one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from guanjia.accounts.models import Role, User
from guanjia.cases.deadlines import batch_of_one
from guanjia.frontdesk.models import CustodyItem, CustodyKind, CustodyStatus
from guanjia.frontdesk.services._common import AGE_KIND, DUE_KIND
from guanjia.notifications.models import Level
from guanjia.notifications.selectors import StaffOfProjects
from guanjia.notifications.services import Notice, notify_many

Fired = list[tuple[Any, CustodyItem]]

_TAB_OF: dict[str, str] = {CustodyKind.LOAN: "loans", CustodyKind.KEY: "keys", CustodyKind.LOST_FOUND: "lost"}


def _alert(item: CustodyItem, title: str, *, people: list[User], kind: str, level: str = Level.INFO) -> Notice:
    return Notice(
        recipients=people,
        kind=kind,
        title=title,
        url=f"/frontdesk/?tab={_TAB_OF.get(item.kind, 'parcels')}",
        project=item.project,
        level=level,
        dedupe_key=f"{kind}:{item.pk}:{item.version}",
    )


def on_age_missed_many(fired: Fired, now: datetime) -> None:
    """F02: still at the desk when its age limit passed: the desk is told how many days it has waited."""
    items = [item for _deadline, item in fired if item.status == CustodyStatus.HELD]
    prefetch_related_objects(items, "project", "owner_customer", "owner_staff", "owner_unit__building")
    staff = StaffOfProjects(item.project for item in items)
    notify_many(
        [
            _alert(
                item,
                _("%(kind)s超过 %(days)d 天未领取：%(who)s")
                % {
                    "kind": item.get_kind_display(),
                    "days": (now - item.received_at).days,
                    "who": item.owner_label or item.description,
                },
                people=staff(item.project, [Role.FRONT_DESK]),
                kind="frontdesk.uncollected",
            )
            for item in items
        ]
    )


def on_due_missed_many(fired: Fired, now: datetime) -> None:
    """F04, F05: a loan or key still out when due back: the desk is told (and the butlers, for a key)."""
    items = [item for _deadline, item in fired if item.is_out]
    prefetch_related_objects(items, "project")
    staff = StaffOfProjects(item.project for item in items)
    notify_many(
        [
            _alert(
                item,
                _("%(kind)s逾期未还：%(what)s（%(who)s）")
                % {"kind": item.get_kind_display(), "what": item.description, "who": item.taken_by_name},
                people=staff(
                    item.project,
                    [Role.FRONT_DESK, Role.BUTLER] if item.kind == CustodyKind.KEY else [Role.FRONT_DESK],
                ),
                kind="frontdesk.overdue",
                level=Level.WARNING,
            )
            for item in items
        ]
    )


on_age_missed = batch_of_one(on_age_missed_many)
on_due_missed = batch_of_one(on_due_missed_many)


def register_ageing_handlers() -> None:
    """Called from ``FrontdeskConfig.ready``: the sweep fires each limit exactly once."""
    from guanjia.cases.services import register_deadline_handler

    model = "frontdesk.custodyitem"
    register_deadline_handler(model, AGE_KIND, on_missed=on_age_missed, on_missed_many=on_age_missed_many)
    register_deadline_handler(model, DUE_KIND, on_missed=on_due_missed, on_missed_many=on_due_missed_many)
