"""The statutory holidays of a year, computed from the law (V04) for years whose arrangement is not published.

The 全国年节及纪念日放假办法 (2024 revision, in force from 2025) gives every citizen 13 days off a year:
元旦 1 day (1 January), 春节 4 days (农历除夕 to 正月初三), 清明节 1 day (the 清明 solar term), 劳动节 2 days
(1–2 May), 端午节 1 day (五月初五), 中秋节 1 day (八月十五) and 国庆节 3 days (1–3 October). The lunar dates
and the solar term come from ``lunar_python``. The make-up arrangement (调休: weekend days worked, extra days
off) is the State Council's yearly decision and cannot be computed: the administrator enters it.

``statutory_days(year)`` is pure and cached per year. ``FIRST_YEAR``–``LAST_YEAR`` bound the years the
calendar fills in: before 2025 the older law applied (and the package publishes those years anyway); after
``LAST_YEAR`` days simply follow the weekend rule, so building a calendar stays cheap.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import cache

from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

FIRST_YEAR = 2025
LAST_YEAR = 2099

NEW_YEAR = gettext_noop("元旦")
SPRING_FESTIVAL = gettext_noop("春节")
QINGMING = gettext_noop("清明节")
LABOUR_DAY = gettext_noop("劳动节")
DRAGON_BOAT = gettext_noop("端午节")
MID_AUTUMN = gettext_noop("中秋节")
NATIONAL_DAY = gettext_noop("国庆节")


def _solar(value: object) -> date:
    # lunar_python's Solar: getYear/getMonth/getDay
    return date(value.getYear(), value.getMonth(), value.getDay())  # type: ignore[attr-defined]


@cache
def statutory_days(year: int) -> dict[date, str]:
    """The statutory days off of ``year`` under the 2024 law (date → Chinese name), 13 days; {} out of range."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return {}
    from lunar_python import Lunar, Solar

    try:
        new_year = _solar(Lunar.fromYmd(year, 1, 1).getSolar())
        qingming = _solar(Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"])
        dragon_boat = _solar(Lunar.fromYmd(year, 5, 5).getSolar())
        mid_autumn = _solar(Lunar.fromYmd(year, 8, 15).getSolar())
    except Exception:  # never fail a page over the lunar calendar: the weekend rule still applies
        logger.exception("could not compute the statutory holidays of %s", year)
        return {}
    days: dict[date, str] = {date(year, 1, 1): NEW_YEAR}
    # 除夕 is the day before 正月初一, whether the twelfth month has 29 or 30 days.
    for offset in range(-1, 3):
        days[new_year + timedelta(days=offset)] = SPRING_FESTIVAL
    days[qingming] = QINGMING
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = LABOUR_DAY
    days[dragon_boat] = DRAGON_BOAT
    days[mid_autumn] = MID_AUTUMN  # may fall on 1–3 October: it then keeps its own name, the day is off anyway
    for day in (1, 2, 3):
        days.setdefault(date(year, 10, day), NATIONAL_DAY)
    return dict(sorted(days.items()))


def computed_exceptions(skip_years: set[int] | frozenset[int]) -> dict[date, bool]:
    """Every computed statutory day (as a day off) of the years in range that are not in ``skip_years``."""
    out: dict[date, bool] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if year not in skip_years:
            out.update(dict.fromkeys(statutory_days(year), False))
    return out
