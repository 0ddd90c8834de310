"""The registry of case kinds: what reports, exports, visits and selectors need to know about each kind of case.

Each kind is declared once, by its own app in ``AppConfig.ready`` (``register_case_kind``), so ``cases`` never
imports the apps built on it (complaints, repairs). Everything else reads the declaration — "open", "done", "ended"
and "on time" are defined here and nowhere else:

- ``open_statuses``: the work is still to be done (ledgers' "open" filter, people's open work).
- ``done_statuses``: the work was done (completed rates, 投诉办结率, the repairs counted by 维修及时率).
- ended statuses (every status that is not open): the case reached its end with a recorded outcome, done or
  not (a declined or cancelled repair ended with its reason). V09 counts a household's issue as handled when its
  case has ended.
- ``on_time``: the kind's on-time rule as a ``Q`` over its rows, judged by the recorded times of the steps (the
  deadline rows ``deadline_meet`` settles, C11, S05).

The limit rules ("kept in time", "a limit missed") are written once, over a ``HasLimit`` test: "the case has a
limit matching this condition". ``per_row`` answers it with an EXISTS per case row (filters, exports);
``LimitFacts`` answers it for a set of cases at once (the month's figures), from one grouped query over the
deadline table joined once to the cases.

cases.models must not import this module (this module reads ``Deadline`` from it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import BooleanField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from guanjia.cases.models import Case, Deadline, DeadlineState

#: A test of a case's limits: given a condition on ``Deadline`` rows, a ``Q`` over the case rows that holds when
#: one of the case's limits matches it (``per_row``, ``LimitFacts.has``).
HasLimit = Callable[[Q], Q]

#: An on-time rule: given the kind and how to test a case's limits, a ``Q`` over the kind's model rows.
OnTimeRule = Callable[["CaseKind", HasLimit], Q]


@dataclass(frozen=True)
class CaseKind:
    """One kind of case. ``key`` is the model's ``CASE_TYPE`` (timeline verb prefix, ``ReturnVisit.case_type``)."""

    model: type[Case]
    open_statuses: tuple[str, ...]
    done_statuses: tuple[str, ...]
    on_time: OnTimeRule
    #: The return-visit type (``visits.CaseType``) of this kind's visits; the key when empty.
    visit_type: str = ""

    @property
    def key(self) -> str:
        return self.model.CASE_TYPE

    @property
    def number_prefix(self) -> str:
        return self.model.NUMBER_PREFIX

    @property
    def return_visit_type(self) -> str:
        return self.visit_type or self.key

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(str(value) for value, _label in self.model._meta.get_field("status").choices or ())

    @property
    def ended_statuses(self) -> tuple[str, ...]:
        return tuple(s for s in self.statuses if s not in self.open_statuses)

    def is_open(self, status: str) -> bool:
        return status in self.open_statuses

    def is_done(self, status: str) -> bool:
        return status in self.done_statuses

    def has_ended(self, status: str) -> bool:
        return status in self.ended_statuses

    def open_q(self, prefix: str = "") -> Q:
        """``prefix`` reaches the case from another model, e.g. ``"repair__"``."""
        return Q(**{f"{prefix}status__in": self.open_statuses})

    def done_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}status__in": self.done_statuses})

    def ended_q(self, prefix: str = "") -> Q:
        # Listed positively: through a nullable relation, "not open" would also match rows without a case.
        return Q(**{f"{prefix}status__in": self.ended_statuses})

    def on_time_q(self, has: HasLimit | None = None) -> Q:
        """The on-time rule; its limits tested per row unless ``has`` is given (``LimitFacts(...).has``)."""
        return self.on_time(self, has or per_row(self.model))


_KINDS: dict[str, CaseKind] = {}


def register_case_kind(kind: CaseKind) -> CaseKind:
    """Declare a kind (from its app's ``AppConfig.ready``). Declaring a key twice is a programming error."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing.model is not kind.model:
        raise ValueError(f"case kind {kind.key!r} is already declared by {existing.model.__name__}")
    _KINDS[kind.key] = kind
    return kind


def case_kind(key: str) -> CaseKind:
    """The declared kind ``key`` ("complaint", "repair"); KeyError names an undeclared one."""
    try:
        return _KINDS[key]
    except KeyError:
        raise KeyError(f"no case kind {key!r} is declared (declared: {', '.join(sorted(_KINDS))})") from None


def case_kinds() -> list[CaseKind]:
    return list(_KINDS.values())


def kind_of(case: Case | type[Case]) -> CaseKind:
    return case_kind(case.CASE_TYPE)


# --- Time limits and the on-time rules --------------------------------------------------------------------------
# The parts: conditions on ``Deadline`` rows. The rules combine them through a ``HasLimit`` test, so the per-row
# form (EXISTS) and the set-wise form (``LimitFacts``) are the same rule.


def limits_q(kind: str) -> Q:
    """The ``kind`` limits, replaced (cancelled) ones aside."""
    return Q(kind=kind) & ~Q(state=DeadlineState.CANCELLED)


#: A limit met on time: ``met_at <= due_at``.
MET_IN_TIME = Q(met_at__isnull=False, met_at__lte=F("due_at"))
#: A limit missed or met late.
BROKEN = Q(state=DeadlineState.MISSED) | Q(met_at__gt=F("due_at"))
#: A limit recorded missed.
MISSED = Q(state=DeadlineState.MISSED)


def limits_kept(has: HasLimit, kind: str) -> Q:
    """The case's ``kind`` limits were all kept on time: at least one was met with ``met_at <= due_at`` and none
    was missed or met late."""
    limits = limits_q(kind)
    return has(limits & MET_IN_TIME) & ~has(limits & BROKEN)


def per_row(model: type[models.Model]) -> HasLimit:
    """``HasLimit`` for the outer row (``OuterRef("pk")``) of ``model``: an EXISTS over its deadline rows."""
    subject_type = ContentType.objects.get_for_model(model)

    def has(condition: Q) -> Q:
        return Q(
            Exists(Deadline.objects.filter(subject_type=subject_type, subject_id=OuterRef("pk")).filter(condition))
        )

    return has


def limits_of(model: type[models.Model], kind: str) -> QuerySet[Deadline]:
    """The ``kind`` limits of the outer row (``OuterRef("pk")``), replaced (cancelled) ones aside."""
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk")
    ).filter(limits_q(kind))


def kept_in_time(model: type[models.Model], kind: str) -> Q:
    """``limits_kept`` for the outer row of ``model``, per row."""
    return limits_kept(per_row(model), kind)


def any_limit_missed(model: type[models.Model]) -> Q:
    """One of the row's limits (of any kind) is recorded missed."""
    return per_row(model)(MISSED)


def done_with_no_limit_missed(kind: CaseKind, has: HasLimit) -> Q:
    """On-time rule: done, and none of its limits missed (维修及时率)."""
    return kind.done_q() & ~has(MISSED)


def limit_kept(limit: str) -> OnTimeRule:
    """On-time rule: the case's ``limit`` limits were all kept in time (e.g. a complaint's "resolve" limit)."""

    def rule(kind: CaseKind, has: HasLimit) -> Q:
        return limits_kept(has, limit)

    return rule


class LimitFacts:
    """``HasLimit`` for a set of cases of ``model`` at once: each condition asked through ``has`` becomes a 0/1
    column of one query over the deadline table, grouped by subject and restricted to the counted rows (through
    its subject index), joined once to those rows by ``count``. PostgreSQL runs it as a join instead of an EXISTS
    probed per case row for every condition.

        facts = LimitFacts(Complaint)
        facts.count(rows, total=None, kept=limits_kept(facts.has, "response"))
    """

    alias = "limit_facts"

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.conditions: list[Q] = []

    def has(self, condition: Q) -> Q:
        if condition in self.conditions:
            index = self.conditions.index(condition)
        else:
            index = len(self.conditions)
            self.conditions.append(condition)
        # A case without limits has no row in the join: no limit matches.
        column = f'"{self.alias}"."f{index}"'
        return Q(RawSQL(f"COALESCE({column}, 0) = 1", (), output_field=BooleanField()))  # noqa: S611 (our names)

    def grouped(self, rows: QuerySet) -> QuerySet:
        """One row per subject of ``rows`` having limits: ``subject_id`` and ``f<i>`` = 1 when one matches."""
        subject_type = ContentType.objects.db_manager(rows.db).get_for_model(self.model)
        flags = {
            f"f{i}": Max(models.Case(When(condition, then=Value(1)), default=Value(0)))
            for i, condition in enumerate(self.conditions)
        }
        subjects = rows.order_by().values("pk")
        limits = Deadline.objects.using(rows.db).filter(subject_type=subject_type)
        connection = connections[rows.db]
        if connection.vendor == "postgresql":
            # "= ANY(ARRAY(subquery))": the subjects are read once and looked up in one scan of the subject index;
            # with "IN (subquery)" the planner reads every limit of the type (all months) for a hash join.
            sql, params = subjects.query.sql_with_params()
            qn = connection.ops.quote_name
            column = f"{qn(Deadline._meta.db_table)}.{qn('subject_id')}"
            any_of = RawSQL(f"{column} = ANY(ARRAY({sql}))", params, output_field=BooleanField())  # noqa: S611
            limits = limits.filter(Q(any_of))
        else:
            limits = limits.filter(subject_id__in=subjects)
        return limits.order_by().values("subject_id").annotate(**flags)

    def count(self, rows: QuerySet, **filters: Q | None) -> dict[str, int]:
        """``Count`` of ``rows`` for each name, under its filter (None: every row), in one query."""
        counts = {name: Count("pk", filter=q) if q is not None else Count("pk") for name, q in filters.items()}
        if not self.conditions:
            return rows.aggregate(**counts)
        connection = connections[rows.db]
        qn = connection.ops.quote_name
        query = rows.order_by().values(_every=Value(1)).annotate(**counts)  # no GROUP BY: one row
        try:
            sql, params = query.query.sql_with_params()
            facts_sql, facts_params = self.grouped(rows).query.sql_with_params()
        except EmptyResultSet:
            return {name: 0 for name in filters}
        table = qn(self.model._meta.db_table)
        main_from = re.compile(rf" FROM {re.escape(table)}(?= |$)")
        if len(main_from.findall(sql)) != 1:
            raise ValueError(f"cannot join the limits to {sql!r}")
        facts = qn(self.alias)
        pk = qn(self.model._meta.pk.column)
        join = f" FROM {table} LEFT OUTER JOIN {facts} ON ({facts}.{qn('subject_id')} = {table}.{pk})"
        sql = f"WITH {facts} AS ({facts_sql}) " + main_from.sub(lambda _m: join, sql)
        with connection.cursor() as cursor:
            cursor.execute(sql, (*facts_params, *params))
            names = [column[0] for column in cursor.description]
            row = cursor.fetchone()
        values = dict(zip(names, row, strict=True))
        return {name: int(values[name]) for name in filters}
