"""The board's rows as the page shows them: each complaint's display values, and each row's HTML rendered once
per distinct content.

The board is polled every 10 s by every open desk, and most of a changed page's rows have not changed. A row's
HTML is a pure function of its display values and the language, so it is kept in a small per-process memo keyed
by a digest of exactly those values: an unchanged row is never rendered twice, and a changed one (a new status,
a renamed assignee, a limit turning red) has a new key and is rendered afresh. Nothing can be served stale.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock
from typing import Any

from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from guanjia.core.links import detail_link

#: Rows kept per process (a row's HTML is about 1.5 KB).
MEMO_SIZE = 4000
_memo: OrderedDict[str, str] = OrderedDict()
_lock = Lock()


def _short(value: Any) -> str:
    return f"{timezone.localtime(value):%m-%d %H:%M}"


def row_values(complaint: Any, link: Any) -> dict[str, Any]:
    """Everything a board row shows of ``complaint`` (from ``selectors.board_rows``), as plain values."""
    due = complaint.next_due_at
    deadline = complaint.next_deadline
    unit = complaint.unit
    assignee = complaint.assignee
    return {
        "pk": complaint.pk,
        "url": link(complaint.pk),
        "urgency": complaint.urgency,
        "due_iso": timezone.localtime(due).isoformat() if due else "",
        "due_short": _short(due) if due else "",
        "due_kind": deadline.kind_label if deadline is not None else "",
        "number": complaint.number,
        "received_short": _short(complaint.received_at),
        "channel": complaint.channel_label,
        "grade": complaint.grade,
        "grade_label": complaint.grade_label,
        "special_service": complaint.special_service,
        "customer": complaint.display_customer,
        "unit": unit.number if unit is not None else "",
        "what": Truncator(complaint.description).chars(46),
        "location": complaint.location,
        "status": complaint.status,
        "status_label": complaint.status_label,
        "department": complaint.department_label if complaint.department else "",
        "assignee": assignee.display_name if assignee is not None else "",
    }


def rendered_rows(complaints: Sequence[Any]) -> list[SafeString]:
    """The HTML of each board row, in order: from the memo when the same row was rendered before."""
    link = detail_link("complaints:detail")
    language = get_language() or ""
    template = get_template("complaints/_board_row.html")
    out = []
    for complaint in complaints:
        values = row_values(complaint, link)
        key = hashlib.sha256(repr((language, sorted(values.items()))).encode()).hexdigest()
        with _lock:
            html = _memo.get(key)
            if html is not None:
                _memo.move_to_end(key)
        if html is None:
            html = template.render({"c": values})
            with _lock:
                _memo[key] = html
                while len(_memo) > MEMO_SIZE:
                    _memo.popitem(last=False)
        out.append(mark_safe(html))  # noqa: S308 (rendered by the template above, which escapes every value)
    return out
