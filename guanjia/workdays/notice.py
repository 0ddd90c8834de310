"""Reading the State Council's yearly holiday notice (国务院办公厅关于某年部分节假日安排的通知), pasted as text.

Each holiday is one line, as the notice prints it or as a table copied from a web page (cells separated by
tabs)::

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    一、元旦：1月1日（周三）放假1天，不调休。
    春节<TAB>2月15日至23日<TAB>2月14日、2月28日

``parse_notice(text, year)`` returns the days off (every day of each range) and the make-up working days, or
raises ``ValidationError`` on the field ``text`` naming the line it could not read. Pure: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAKEUP_SUFFIX = "调休"

_PARENS = re.compile(r"（[^）]*）|\([^)]*\)")
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+[、.．)）]|[（(][一二三四五六七八九十\d]+[)）])\s*")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日")
_RANGE_SEP = re.compile(r"至|到|—|–|~|～|-")
_COUNT = re.compile(r"(?:共|放假)\s*(\d{1,2})\s*天")
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年")
_HOLIDAY_WORDS = ("元旦", "春节", "清明", "劳动", "端午", "中秋", "国庆")


@dataclass(frozen=True)
class NoticeDay:
    day: date
    is_workday: bool
    name: str


def _error(message: str) -> ValidationError:
    return ValidationError({"text": [message]})


def _dates(text: str, year: int, lineno: int) -> list[date]:
    """The dates written in ``text`` in order; a day without a month takes the previous date's month."""
    found: list[date] = []
    month: int | None = None
    current_year = year
    for match in _DATE.finditer(text):
        y, m, d = match.groups()
        if y:
            current_year = int(y)
        if m:
            month = int(m)
        if month is None:
            raise _error(_("第%(line)s行：“%(text)s”缺少月份") % {"line": lineno, "text": match.group(0)})
        try:
            found.append(date(current_year, month, int(d)))
        except ValueError:
            raise _error(_("第%(line)s行：日期“%(text)s”不存在") % {"line": lineno, "text": match.group(0)}) from None
    return found


def _name_of(label: str) -> str:
    label = label.strip()
    # "国庆节、中秋节" keeps its full name; "清明" becomes "清明节".
    if label and not label.endswith(("节", "旦")) and len(label) <= 4:
        label += "节"
    return label[:40]


def _rest_days(part: str, year: int, lineno: int) -> list[date]:
    pieces = _RANGE_SEP.split(part, maxsplit=1)
    if len(pieces) == 2:
        starts = _dates(pieces[0], year, lineno)
        if len(starts) != 1:
            raise _error(_("第%(line)s行：看不懂放假的起止日期") % {"line": lineno})
        start = starts[0]
        # the end inherits the start's month when it gives only the day ("2月15日至23日")
        ends = _dates(
            f"{start.month}月{pieces[1]}" if not re.search(r"\d\s*月", pieces[1]) else pieces[1], year, lineno
        )
        if len(ends) != 1:
            raise _error(_("第%(line)s行：看不懂放假的起止日期") % {"line": lineno})
        end = ends[0]
        if end < start and start.year == end.year:
            if start.month > end.month:  # "12月31日至1月2日": the range crosses New Year
                start = start.replace(year=start.year - 1)
            else:
                raise _error(_("第%(line)s行：放假结束日期早于开始日期") % {"line": lineno})
        if (end - start).days > 31:
            raise _error(_("第%(line)s行：放假天数超过一个月，请检查日期") % {"line": lineno})
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]
    days = _dates(part, year, lineno)
    count = _COUNT.search(part)
    if len(days) == 1 and count and int(count.group(1)) > 1:
        return [days[0] + timedelta(days=i) for i in range(min(int(count.group(1)), 31))]
    return days


def parse_notice(text: str, year: int) -> list[NoticeDay]:
    """The days off and make-up working days of the notice, by date; ValidationError("text") when unreadable."""
    if not (text or "").strip():
        raise _error(_("请粘贴国务院通知的内容"))
    title = _TITLE_YEAR.search(text)
    if title and int(title.group(1)) != year:
        raise _error(_("通知是%(notice)s年的，与所填年份%(year)s不一致") % {"notice": title.group(1), "year": year})
    result: dict[date, NoticeDay] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = _NUMBERING.sub("", raw.strip())
        if not line or _TITLE_YEAR.search(line):
            continue
        label, sep, body = _split(line)
        if not sep or not any(word in label for word in _HOLIDAY_WORDS) or len(label) > 20:
            continue  # the notice's introduction and closing words
        name = _name_of(label)
        body = _PARENS.sub("", body)
        if sep == "\t":
            cells = [c.strip() for c in body.split("\t")]
            rest_part, work_part = cells[0], "、".join(cells[1:])
            work_sentences = [work_part] if _DATE.search(work_part) else []
        else:
            rest_part, _sep, after = body.partition("放假")
            if not _sep:
                raise _error(_("第%(line)s行：找不到“放假”，无法识别“%(name)s”") % {"line": lineno, "name": name})
            rest_part = rest_part + _first_sentence(after)
            work_sentences = [s for s in re.split(r"[。；;]", after) if "上班" in s]
        rest = _rest_days(rest_part, year, lineno)
        if not rest:
            raise _error(_("第%(line)s行：没有找到“%(name)s”的放假日期") % {"line": lineno, "name": name})
        work = [d for s in work_sentences for d in _dates(s, year, lineno)]
        for d in rest:
            result[d] = NoticeDay(d, False, name)
        for d in work:
            if d in result and not result[d].is_workday:
                raise _error(_("第%(line)s行：%(date)s既放假又上班") % {"line": lineno, "date": d.isoformat()})
            result[d] = NoticeDay(d, True, name + MAKEUP_SUFFIX)
    if not result:
        raise _error(_("没有识别出任何节日，请按“春节：2月15日至23日放假调休，共9天。2月14日（周六）上班。”的格式粘贴"))
    outside = [d for d in result if not year - 1 <= d.year <= year + 1]
    if outside:
        raise _error(_("%(date)s不在%(year)s年前后，请检查年份") % {"date": outside[0].isoformat(), "year": year})
    return [result[d] for d in sorted(result)]


def _split(line: str) -> tuple[str, str, str]:
    match = re.search(r"[：:\t]", line)
    if match is None:
        return line, "", ""
    return line[: match.start()], match.group(0), line[match.end() :]


def _first_sentence(after: str) -> str:
    """The words right after "放假" up to the first full stop: "1天，不调休" gives the count of a single day."""
    return "放假" + re.split(r"[。；;]", after, maxsplit=1)[0]
