"""The complaint grade calculator (C05–C11): one pure function from the facts to the grade.

The grade is the highest any rule gives (C10); each "mishandled" decision raises it one step (C11). The
thresholds come from policy data (``GradeThresholds``; defaults are the manual's numbers), never from ``if``
chains elsewhere. The result carries the reasons, each naming its rule, so the desk can see why a complaint
is graded as it is.

Counting repeats: the API's ``repeat_count`` is the number of times the matter was raised *before* without
resolution, so the customer is now raising it for the ``repeat_count + 1``-th time; the manual's "raised 10 or
more times" (C07) and "3 to 9 times" (C08) count every time, this one included.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Grade(models.TextChoices):
    GENERAL = "general", _("一般投诉")
    SIGNIFICANT = "significant", _("较大投诉")
    MAJOR = "major", _("重大投诉")
    CRITICAL = "critical", _("特别重大投诉")


#: Grades from lowest to highest; the index is the grade's rank.
GRADE_ORDER: tuple[Grade, ...] = (Grade.GENERAL, Grade.SIGNIFICANT, Grade.MAJOR, Grade.CRITICAL)


def rank(grade: str) -> int:
    return GRADE_ORDER.index(Grade(grade))


def step_up(grade: str, steps: int = 1) -> Grade:
    return GRADE_ORDER[min(rank(grade) + max(steps, 0), len(GRADE_ORDER) - 1)]


class Injury(models.TextChoices):
    NONE = "none", _("无")
    MINOR = "minor", _("轻伤")
    SERIOUS = "serious", _("重伤")


@dataclass(frozen=True)
class GradeThresholds:
    """The numbers of C06–C08; policy data supplies them per company or project."""

    critical_loss_yuan: Decimal = Decimal(100_000)
    critical_customers: int = 10
    critical_deaths: int = 1
    major_loss_yuan: Decimal = Decimal(10_000)
    major_times_raised: int = 10
    major_media_days: int = 2
    major_media_outlets: int = 3
    significant_loss_yuan: Decimal = Decimal(2_000)
    significant_times_raised: int = 3


@dataclass(frozen=True)
class GradeFacts:
    economic_loss_yuan: Decimal = Decimal(0)
    customers_in_incident: int = 1
    deaths: int = 0
    injury: str = Injury.NONE
    media_days: int = 0
    media_outlets: int = 0
    to_authorities: bool = False
    repeat_count: int = 0
    mishandled_steps: int = 0

    @property
    def times_raised(self) -> int:
        return self.repeat_count + 1


#: The words of each ground, its numbers as placeholders. A complaint keeps its grounds in Chinese
#: (``grade_reasons``); ``complaints.labels.grade_reason_words`` shows them in the reader's language.
REASON_TEXTS = {
    "loss": gettext_noop("经济损失 ≥ %(yuan)s 元"),
    "incident_customers": gettext_noop("同一事件 %(count)s 位客户投诉 (≥ %(limit)s)"),
    "deaths": gettext_noop("造成死亡 %(count)s 人"),
    "raised": gettext_noop("同一事项第 %(times)s 次提出仍未解决 (≥ %(limit)s)"),
    "serious_injury": gettext_noop("造成人身重大伤害"),
    "media": gettext_noop("负面报道 %(days)s 日 / %(outlets)s 家媒体"),
    "authorities": gettext_noop("直接向上级主管部门投诉"),
    "minor_injury": gettext_noop("造成一般人身伤害 (轻伤)"),
    "media_any": gettext_noop("出现负面报道"),
    "below_significant": gettext_noop("未达到较大及以上投诉的条件"),
    "mishandled": gettext_noop("处理不当升级 %(steps)s 次"),
}


def _text(key: str, **params: object) -> str:
    return REASON_TEXTS[key] % params if params else REASON_TEXTS[key]


@dataclass(frozen=True)
class Reason:
    rule: str
    grade: Grade
    text: str


@dataclass(frozen=True)
class GradeResult:
    grade: Grade
    base_grade: Grade
    reasons: tuple[Reason, ...]


def compute_grade(facts: GradeFacts, limits: GradeThresholds | None = None) -> GradeResult:
    """The grade the facts give (C10: the highest of every rule), then one step up per mishandling (C11)."""
    t = limits or GradeThresholds()
    loss = Decimal(facts.economic_loss_yuan)
    candidates: list[tuple[bool, str, Grade, str]] = [
        (loss >= t.critical_loss_yuan, "C06", Grade.CRITICAL, _text("loss", yuan=t.critical_loss_yuan)),
        (
            facts.customers_in_incident >= t.critical_customers,
            "C06",
            Grade.CRITICAL,
            _text("incident_customers", count=facts.customers_in_incident, limit=t.critical_customers),
        ),
        (facts.deaths >= t.critical_deaths, "C06", Grade.CRITICAL, _text("deaths", count=facts.deaths)),
        (
            facts.times_raised >= t.major_times_raised,
            "C07",
            Grade.MAJOR,
            _text("raised", times=facts.times_raised, limit=t.major_times_raised),
        ),
        (loss >= t.major_loss_yuan, "C07", Grade.MAJOR, _text("loss", yuan=t.major_loss_yuan)),
        (facts.injury == Injury.SERIOUS, "C07", Grade.MAJOR, _text("serious_injury")),
        (
            facts.media_days >= t.major_media_days or facts.media_outlets >= t.major_media_outlets,
            "C07",
            Grade.MAJOR,
            _text("media", days=facts.media_days, outlets=facts.media_outlets),
        ),
        (facts.to_authorities, "C05", Grade.MAJOR, _text("authorities")),
        (loss >= t.significant_loss_yuan, "C08", Grade.SIGNIFICANT, _text("loss", yuan=t.significant_loss_yuan)),
        (
            facts.times_raised >= t.significant_times_raised,
            "C08",
            Grade.SIGNIFICANT,
            _text("raised", times=facts.times_raised, limit=t.significant_times_raised),
        ),
        (facts.injury == Injury.MINOR, "C08", Grade.SIGNIFICANT, _text("minor_injury")),
        (facts.media_days > 0 or facts.media_outlets > 0, "C08", Grade.SIGNIFICANT, _text("media_any")),
    ]
    reasons = [Reason(rule, grade, text) for hit, rule, grade, text in candidates if hit]
    base = max((r.grade for r in reasons), key=rank, default=Grade.GENERAL)
    if not reasons:
        reasons.append(Reason("C09", Grade.GENERAL, _text("below_significant")))
    final = step_up(base, facts.mishandled_steps)
    if facts.mishandled_steps:
        reasons.append(Reason("C11", final, _text("mishandled", steps=facts.mishandled_steps)))
    return GradeResult(grade=final, base_grade=base, reasons=tuple(reasons))
