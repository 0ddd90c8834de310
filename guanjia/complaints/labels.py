"""Words for the timeline verbs complaints write (registered in ComplaintsConfig.ready)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from guanjia.complaints.grading import REASON_TEXTS

#: Timeline verbs in the desk's words; a verb not listed here is shown as written.
VERB_LABELS: dict[str, Any] = {
    "complaint.registered": gettext_lazy("登记投诉"),
    "complaint.mail_registered": gettext_lazy("登记收文"),
    "complaint.facts_changed": gettext_lazy("修改定级事实"),
    "complaint.regraded": gettext_lazy("重新定级"),
    "complaint.grade_lowered": gettext_lazy("主管降级"),
    "complaint.mishandled": gettext_lazy("认定处理不当"),
    "complaint.mishandling_proposed": gettext_lazy("超时，提请主管认定处理不当"),
    "complaint.proposal_dismissed": gettext_lazy("主管不认定处理不当"),
    "complaint.nature_set": gettext_lazy("认定投诉性质"),
    "complaint.nature_referred": gettext_lazy("提请判定投诉性质"),
    "complaint.incident_linked": gettext_lazy("关联事件"),
    "complaint.incident_unlinked": gettext_lazy("取消关联事件"),
    "complaint.dispatched": gettext_lazy("派单"),
    "complaint.acknowledged": gettext_lazy("部门签收"),
    "complaint.escalation_acknowledged": gettext_lazy("上报已确认"),
    "complaint.escalated": gettext_lazy("上报"),
    "complaint.note": gettext_lazy("处理记录"),
    "complaint.deadline_agreed": gettext_lazy("约定完成期限"),
    "complaint.next_reply_set": gettext_lazy("约定下次回复"),
    "complaint.customer_informed": gettext_lazy("告知客户结果"),
    "complaint.completed": gettext_lazy("处理完成"),
    "complaint.closed": gettext_lazy("关闭"),
    "complaint.group_measure": gettext_lazy("集体投诉处理"),
    "complaint.replied_in_writing": gettext_lazy("书面回复"),
    "complaint.signed": gettext_lazy("客户签名"),
    "complaint.customer_added": gettext_lazy("客户补充反映"),
    "complaint.related_linked": gettext_lazy("关联相似投诉"),
    "incident.created": gettext_lazy("建立事件"),
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)))


_REASON_PATTERNS = [(key, _pattern(template)) for key, template in REASON_TEXTS.items()]


def _key_and_words(text: str) -> tuple[str, str]:
    for key, pattern in _REASON_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return key, gettext(REASON_TEXTS[key]) % match.groupdict()
    return "", text


def grade_reason_words(reasons: Iterable[Any]) -> list[str]:
    """A complaint's grounds for its grade (``grade_reasons``, kept in Chinese) in the reader's language, without
    rule codes, and only those that apply: a complaint raised by mishandling does not also list "未达到较大及以上投诉
    的条件" (true of its grade before the raise, not of the grade it has)."""
    found = [_key_and_words(str(r.get("text", "")) if isinstance(r, dict) else str(r)) for r in reasons or ()]
    keys = {key for key, _words in found}
    return [words for key, words in found if words and not (key == "below_significant" and "mishandled" in keys)]
