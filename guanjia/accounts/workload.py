"""A person's open work, for the switch-off page of 人员管理 (O02): each app that assigns work to a person
registers what is still open (in its AppConfig.ready), so accounts never imports the apps above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse

from guanjia.accounts.models import User


@dataclass(frozen=True)
class OpenWork:
    """One kind of work: ``open_rows(person)`` are the open rows assigned to them (``project`` loaded);
    each links to ``url_name`` (its page, where it is handed to someone else)."""

    key: str
    label: Any
    open_rows: Callable[[User], QuerySet[Any]]
    url_name: str
    reassign_url_name: str | None = None


@dataclass
class OpenWorkList:
    work: OpenWork
    rows: list[tuple[Model, str]] = field(default_factory=list)
    more: int = 0

    @property
    def label(self) -> str:
        return str(self.work.label)

    @property
    def reassign_url(self) -> str:
        return reverse(self.work.reassign_url_name) if self.work.reassign_url_name else ""


_registry: dict[str, OpenWork] = {}


def register_open_work(work: OpenWork) -> None:
    _registry[work.key] = work


def open_work_for(person: User, limit: int = 50) -> list[OpenWorkList]:
    """Each registered kind with the person's open rows (at most ``limit`` shown, the rest counted)."""
    lists: list[OpenWorkList] = []
    for work in _registry.values():
        rows = list(work.open_rows(person)[: limit + 1])
        listed = OpenWorkList(work=work, rows=[(r, reverse(work.url_name, args=[r.pk])) for r in rows[:limit]])
        if len(rows) > limit:
            listed.more = work.open_rows(person).count() - limit
        lists.append(listed)
    return lists
