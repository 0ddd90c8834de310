"""The simulated clock and the scheduler that replays four weeks of the demo's history.

Every story (one complaint, one repair, one shift …) is a generator: it does what happens at the current
simulated moment through the product's services, then yields the moment of its next step. The scheduler
runs the steps of all stories in time order and, between them, runs the periodic sweep at each moment a
deadline falls due (15 seconds late, like the in-process sweeper), so a missed limit fires exactly as it
would have in a live desk. A step that falls after the end (the real "now") never runs: that case is simply
still open today.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import django.utils.timezone
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.cases.periodic import run_periodic

#: How late the sweeper notices a limit: the in-process sweeper runs every 15 seconds.
SWEEP_LAG = timedelta(seconds=15)

Story = Iterator[datetime]


class Clock:
    """The simulated "now". It only moves forward."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        if moment > self.now:
            self.now = moment


@contextmanager
def simulated_time(clock: Clock) -> Iterator[Clock]:
    """Inside the demo loader only: ``django.utils.timezone.now`` reads the simulated clock.

    Why: several services stamp rows with the current time themselves (``auto_now_add`` registration times,
    timeline events and notifications written "now", the "not in the future" checks). The demo replays a past
    month through those same services, so for its duration "now" must be the simulated moment. Product code
    never does this. External delivery (console, SMS, email) is switched off for the same duration: the
    history's messages were "delivered" weeks ago; they stay in the staff's in-app inboxes. So is the debug
    log of every SQL query (local settings), which costs the replay's tens of thousands of queries time.
    """
    real_now = django.utils.timezone.now
    real_backends = getattr(settings, "NOTIFICATION_BACKENDS", None)
    real_debug = settings.DEBUG
    django.utils.timezone.now = clock
    settings.NOTIFICATION_BACKENDS = []
    settings.DEBUG = False
    try:
        yield clock
    finally:
        django.utils.timezone.now = real_now
        settings.NOTIFICATION_BACKENDS = real_backends
        settings.DEBUG = real_debug


class Scheduler:
    """Runs stories in time order up to ``end``, sweeping due deadlines up to ``sweep_end`` on the way."""

    def __init__(self, clock: Clock, *, end: datetime, sweep_end: datetime) -> None:
        self.clock = clock
        self.end = end
        self.sweep_end = min(sweep_end, end)
        self._queue: list[tuple[datetime, int, Story]] = []
        self._order = itertools.count()
        self.steps = 0
        self.sweeps = 0
        #: Called after every step and every sweep (e.g. a manager on call who answers new escalations).
        self.watchers: list[Callable[[], None]] = []

    def spawn(self, at: datetime, story: Story) -> None:
        """Start ``story`` at ``at`` (its code up to the first ``yield`` runs then)."""
        heapq.heappush(self._queue, (at, next(self._order), story))

    def run(self) -> None:
        while self._queue:
            at = self._queue[0][0]
            if at > self.end:
                break  # every story left is still to come: those cases are open now
            if self._sweep_due(before=at):
                continue  # a sweep may have started new stories (watchers): look at the queue again
            at, _order, story = heapq.heappop(self._queue)
            self.clock.set(at)
            self.steps += 1
            try:
                following: datetime | None = next(story)
            except StopIteration:
                following = None
            self._watch()
            if following is not None:
                heapq.heappush(self._queue, (max(following, self.clock.now), next(self._order), story))
        while self._sweep_due(before=self.sweep_end):
            pass
        self.clock.set(self.end)

    def _sweep_due(self, *, before: datetime) -> bool:
        """Sweep once if a limit (or a reminder) fell due early enough for the sweeper to notice it before
        ``before`` (and before ``sweep_end``). Returns whether it swept."""
        moment = self._next_due()
        if moment is None:
            return False
        at = max(moment + SWEEP_LAG, self.clock.now)
        if at > min(before, self.sweep_end):
            return False
        self.clock.set(at)
        run_periodic(at)
        self.sweeps += 1
        self._watch()
        return True

    def _next_due(self) -> datetime | None:
        """The earliest pending limit or unsent reminder. Asked before every step, so one plain SQL query."""
        table = connection.ops.quote_name(Deadline._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MIN(due_at), MIN(CASE WHEN reminded_at IS NULL THEN remind_at END) FROM {table} "  # noqa: S608
                "WHERE state = %s",
                [DeadlineState.PENDING],
            )
            row = cursor.fetchone()
        moments = [_as_datetime(value) for value in row or () if value is not None]
        return min(moments) if moments else None

    def _watch(self) -> None:
        for watcher in self.watchers:
            watcher()


def _as_datetime(value: object) -> datetime:
    """A timestamp as the database driver returns it (SQLite: text in UTC; PostgreSQL: aware datetime)."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
