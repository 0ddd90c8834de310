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

cases.models must not import this module (this module reads ``Deadline`` from it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from guanjia.cases.models import Case, Deadline, DeadlineState

#: An on-time rule: given the kind, a ``Q`` over the kind's model rows.
OnTimeRule = Callable[["CaseKind"], Q]


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

    def on_time_q(self) -> Q:
        return self.on_time(self)


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


def limits_of(model: type[models.Model], kind: str) -> QuerySet[Deadline]:
    """The ``kind`` limits of the outer row (``OuterRef("pk")``), replaced (cancelled) ones aside."""
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk"), kind=kind
    ).exclude(state=DeadlineState.CANCELLED)


def kept_in_time(model: type[models.Model], kind: str) -> Q:
    """The row's ``kind`` limits were all kept on time: at least one was met with ``met_at <= due_at`` and none
    was missed or met late."""
    limits = limits_of(model, kind)
    kept = limits.filter(met_at__isnull=False, met_at__lte=F("due_at"))
    broken = limits.filter(Q(state=DeadlineState.MISSED) | Q(met_at__gt=F("due_at")))
    return Q(Exists(kept)) & ~Q(Exists(broken))


def any_limit_missed(model: type[models.Model]) -> Q:
    """One of the row's limits (of any kind) is recorded missed."""
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk"), state=DeadlineState.MISSED
    )
    return Q(Exists(missed))


def done_with_no_limit_missed(kind: CaseKind) -> Q:
    """On-time rule: done, and none of its limits missed (维修及时率)."""
    return kind.done_q() & ~any_limit_missed(kind.model)


def limit_kept(limit: str) -> OnTimeRule:
    """On-time rule: the case's ``limit`` limits were all kept in time (e.g. a complaint's "resolve" limit)."""

    def rule(kind: CaseKind) -> Q:
        return kept_in_time(kind.model, limit)

    return rule
