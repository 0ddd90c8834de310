"""The export's hot row path (issue 14): times as integers, and what is read once per chunk of rows.

The database driver turns each ``timestamptz`` into an aware ``datetime`` in Python (a regular expression and
several objects per value), then the export turned it into Beijing time and Excel's serial number. Here a time
is read as an integer instead (``EpochMicros``: microseconds since 1970 UTC, computed by the database) and
turned into Excel's serial number with integer arithmetic (``Clock``), the very float the writer computed from
the local ``datetime`` before. Comparisons of two times (on time or late) compare the integers: the instants.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, BooleanField, Expression, F, Func

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.estates.models import CustomerPhone
from guanjia.exports.xlsx import Stamp

_DAY_US = 86_400_000_000
#: Microseconds from Excel's day 0 (1899-12-30) to the Unix epoch (1970-01-01): 25,569 days.
_EXCEL_EPOCH_US = 25_569 * _DAY_US
_UNIX = datetime(1970, 1, 1, tzinfo=UTC)


class EpochMicros(Func):
    """A date-time column as whole microseconds since 1970-01-01 UTC (NULL stays NULL)."""

    output_field = BigIntegerField()

    @property
    def convert_value(self) -> Any:
        """Already an integer on either database: no converter called per value (Django's ``int()`` for integer
        expressions would run for every time of every row)."""
        return self._convert_value_noop  # type: ignore[attr-defined]  # (Django's no-op, missing from the stubs)

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"(EXTRACT(EPOCH FROM {sql}) * 1000000)::bigint", tuple(params)
        if connection.vendor == "sqlite":  # stored as UTC text: 'YYYY-MM-DD HH:MM:SS[.ffffff]'
            return (
                f"(CAST(strftime('%%s', {sql}) AS INTEGER) * 1000000"
                f" + CASE WHEN length({sql}) > 19 THEN CAST(substr({sql}, 21, 6) AS INTEGER) ELSE 0 END)",
                (*params, *params, *params),
            )
        raise NotImplementedError(connection.vendor)


class InIds(Expression):
    """``field IN (ids)`` as a filter; on PostgreSQL ``field = ANY(%s)`` with the ids as one array parameter,
    so a chunk's 2,000 ids are not 2,000 placeholders each prepared and quoted one by one."""

    output_field = BooleanField()

    def __init__(self, field: str, ids: Sequence[int]) -> None:
        super().__init__()
        self.lhs: Any = F(field)
        self.ids = list(ids)

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.lhs,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.lhs)
        if not self.ids:
            return "1 = 0", ()
        if connection.vendor == "postgresql":
            return f"{sql} = ANY(%s)", (*params, self.ids)
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)


class Clock:
    """UTC microseconds (``EpochMicros``) to Excel serials of the local time in ``zone``. The zone's offset is
    looked up once per day of time (and per value on a day with a change of offset in it)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.offsets: dict[int, int | None] = {}

    def _offset_of(self, us: int) -> int:
        when = _UNIX + timedelta(microseconds=us)
        offset = when.astimezone(self.zone).utcoffset()
        return _micros(offset) if offset is not None else 0

    def offset(self, us: int) -> int:
        day = us // _DAY_US
        try:
            found = self.offsets[day]
        except KeyError:
            start, end = self._offset_of(day * _DAY_US), self._offset_of((day + 1) * _DAY_US - 1)
            found = self.offsets[day] = start if start == end else None
        return found if found is not None else self._offset_of(us)

    def serial(self, us: int | None) -> Stamp | None:
        """Excel's serial of the local time (days since 1899-12-30), exactly as ``xlsx._serial`` of it."""
        if us is None:
            return None
        days, rem = divmod(us + self.offset(us) + _EXCEL_EPOCH_US, _DAY_US)
        seconds, micros = divmod(rem, 1_000_000)
        return Stamp(days + (seconds + micros / 1e6) / 86400)


def micros_of(value: datetime) -> int:
    """An aware date-time as ``EpochMicros`` reads it."""
    return _micros(value - _UNIX)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def latest_limits(
    model: type[Any], ids: list[int], kinds: tuple[str, ...]
) -> dict[tuple[int, str], tuple[int | None, int | None]]:
    """The latest non-cancelled limit of each kind of each case of a chunk: (case id, kind) to its due and met
    times (``stamps.EpochMicros``). One query per chunk (read by the deadlines' subject index) instead of a
    correlated subquery per cell."""
    latest: dict[tuple[int, str], tuple[int, int | None, int | None]] = {}
    limits = (
        # The id range lets the planner walk the (subject_type, subject_id, kind) index for just the chunk's
        # cases; with the list alone PostgreSQL may scan every limit of the type and filter.
        Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(model), subject_id__gte=min(ids), subject_id__lte=max(ids)
        )
        .filter(InIds("subject_id", ids), kind__in=kinds)
        .exclude(state=DeadlineState.CANCELLED)
        .order_by()  # read through the subject index; ORDER BY id could walk the whole table instead
        .annotate(due=EpochMicros("due_at"), met=EpochMicros("met_at"))
        .values_list("subject_id", "kind", "id", "due", "met")
    )
    for subject_id, kind, pk, due, met in limits:
        key = (subject_id, kind)
        if key not in latest or latest[key][0] < pk:  # the latest limit of its kind
            latest[key] = (pk, due, met)
    return {key: (due, met) for key, (_pk, due, met) in latest.items()}


def first_phones(customer_ids: set[int]) -> dict[int, str]:
    """Each customer's first phone (the lowest position, then the oldest), one query for a chunk's customers."""
    first: dict[int, tuple[int, int, str]] = {}
    if customer_ids:
        phones = CustomerPhone.objects.filter(InIds("customer_id", sorted(customer_ids))).order_by()
        for customer_id, position, pk, number in phones.values_list("customer_id", "position", "id", "number"):
            if customer_id not in first or (position, pk) < first[customer_id][:2]:
                first[customer_id] = (position, pk, number)
    return {customer_id: number for customer_id, (_p, _pk, number) in first.items()}
