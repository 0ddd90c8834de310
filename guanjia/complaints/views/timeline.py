"""A complaint's timeline in the desk's words: each event's data as short "what: value" lines."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanjia.accounts.models import Role, User
from guanjia.cases.models import DEADLINE_KIND_LABELS, Department
from guanjia.complaints.grading import Grade, Injury
from guanjia.complaints.models import Channel, ComplaintStatus, GroupMeasure, InformMethod, Nature
from guanjia.visits.models import Outcome, ReviewDecision

#: Keys of event data in the desk's words.
DATA_LABELS: dict[str, Any] = {
    "department": gettext_lazy("部门"),
    "against_department": gettext_lazy("被投诉部门"),
    "against_person": gettext_lazy("被投诉人"),
    "assignee": gettext_lazy("处理人"),
    "first_responder": gettext_lazy("首问责任人"),
    "text": gettext_lazy("内容"),
    "note": gettext_lazy("说明"),
    "deadline": gettext_lazy("期限"),
    "reply_at": gettext_lazy("回复时间"),
    "method": gettext_lazy("方式"),
    "result": gettext_lazy("结果"),
    "grade": gettext_lazy("级别"),
    "grade_from": gettext_lazy("原级别"),
    "computed": gettext_lazy("按规则"),
    "cause": gettext_lazy("起因"),
    "kind": gettext_lazy("时限"),
    "due_at": gettext_lazy("期限"),
    "signer_name": gettext_lazy("签名人"),
    "measure": gettext_lazy("方式"),
    "nature": gettext_lazy("性质"),
    "channel": gettext_lazy("方式"),
    "received_at": gettext_lazy("受理时间"),
    "entered_late": gettext_lazy("事后补录"),
    "on_the_spot": gettext_lazy("当场解决"),
    "customers_in_incident": gettext_lazy("事件客户数"),
    "incident": gettext_lazy("事件"),
    "from": gettext_lazy("原"),
    "to": gettext_lazy("新"),
    "economic_loss_yuan": gettext_lazy("经济损失(元)"),
    "injury": gettext_lazy("人身伤害"),
    "deaths": gettext_lazy("死亡人数"),
    "media_days": gettext_lazy("负面报道天数"),
    "media_outlets": gettext_lazy("报道媒体家数"),
    "to_authorities": gettext_lazy("向上级主管部门投诉"),
    "repeat_count": gettext_lazy("此前反映次数"),
    "location": gettext_lazy("发生地点"),
    "occurred_at": gettext_lazy("发生时间"),
    "customer_request": gettext_lazy("客户要求"),
    "requested_deadline": gettext_lazy("客户要求期限"),
    "special_service": gettext_lazy("特约服务"),
    "count": gettext_lazy("处理不当次数"),
    "role": gettext_lazy("上报对象"),
    "late": gettext_lazy("超时"),
    "on_time": gettext_lazy("按时"),
    "automatic": gettext_lazy("系统自动"),
    "satisfaction": gettext_lazy("满意度"),
    "outcome": gettext_lazy("回访结果"),
    "decision": gettext_lazy("审核决定"),
    "comment": gettext_lazy("意见"),
    "signed": gettext_lazy("客户已签名"),
    "retry_at": gettext_lazy("再次回访时间"),
    "related": gettext_lazy("相关投诉"),
}
#: Coded values shown by their label.
_VALUE_LABELS: dict[str, dict[str, Any]] = {
    "channel": dict(Channel.choices),
    "department": dict(Department.choices),
    "against_department": dict(Department.choices),
    "grade": dict(Grade.choices),
    "grade_from": dict(Grade.choices),
    "computed": dict(Grade.choices),
    "nature": dict(Nature.choices),
    "method": dict(InformMethod.choices),
    "measure": dict(GroupMeasure.choices),
    "injury": dict(Injury.choices),
    "kind": DEADLINE_KIND_LABELS,
    "role": dict(Role.choices),
    "cause": {
        "incident": gettext_lazy("事件客户数变化"),
        "facts": gettext_lazy("定级事实变化"),
        "mishandled": gettext_lazy("认定处理不当"),
    },
    "outcome": dict(Outcome.choices),
    "decision": dict(ReviewDecision.choices),
}
_USER_KEYS = frozenset({"assignee", "first_responder"})
#: Event data too technical for the page.
_HIDDEN_DATA = frozenset(
    {
        "reasons",
        "sha256",
        "signature",
        "mail",
        "deadline_id",
        "raised",
        "kept",
        "computed_from",
        "incident",
        "proposals",
        "referred",
        "complaints",
        "rectification",
        "visit",
    }
)
#: A stored value that is a code (``no_answer``) and has no label: never shown as it is.
_CODE = re.compile(r"[a-z][a-z0-9_]*")


def _value_text(key: str, value: Any, people: dict[int, str]) -> str:
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if key in _USER_KEYS and isinstance(value, int):
        return people.get(value, "—")
    if key in _VALUE_LABELS and isinstance(value, str):
        return str(_VALUE_LABELS[key].get(value, value))
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        moment = parse_datetime(value)
        if moment is not None:
            return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    return str(value)


#: Flags worth a line on the timeline only when set.
_SHOWN_WHEN_TRUE = frozenset({"entered_late", "on_the_spot", "late", "automatic"})


def event_details(data: Any, people: dict[int, str]) -> list[tuple[str, str]]:
    """The event's data as short "what: value" pairs in the desk's words (changes as old → new)."""
    if not isinstance(data, dict):
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(data.get("from"), str) and isinstance(data.get("to"), str):
        # A status change (cases.services.case_transition): one line, old → new, in words.
        statuses = {**dict(Nature.choices), **dict(ComplaintStatus.choices)}
        pairs.append(
            (str(_("状态")), f"{statuses.get(data['from'], data['from'])} → {statuses.get(data['to'], data['to'])}")
        )
        data = {k: v for k, v in data.items() if k not in {"from", "to"}}
    for key, value in list(data.items())[:16]:
        if key in _HIDDEN_DATA or value in (None, "", [], {}) or (key in _SHOWN_WHEN_TRUE and value is False):
            continue
        if key not in DATA_LABELS:  # a key without words is for the machine, not the page
            continue
        if isinstance(value, dict) and ({"from", "to"} <= value.keys() or {"before", "after"} <= value.keys()):
            old, new = (value["from"], value["to"]) if "from" in value else (value["before"], value["after"])
            text = f"{_value_text(key, old, people)} → {_value_text(key, new, people)}"
        elif isinstance(value, dict):
            text = "; ".join(
                f"{DATA_LABELS.get(k, k)}: {_value_text(k, v, people)}" for k, v in list(value.items())[:8]
            )
        else:
            text = _value_text(key, value, people)
        if _CODE.fullmatch(text):  # a code nobody named: not for the page
            continue
        pairs.append((str(DATA_LABELS[key]), text[:300]))
    return pairs


def people_named_in(events: list[Any]) -> dict[int, str]:
    """Names of the staff that events refer to by id (one query for the whole timeline)."""
    ids = {
        v
        for e in events
        if isinstance(e.data, dict)
        for k, v in e.data.items()
        if k in _USER_KEYS and isinstance(v, int)
    }
    if not ids:
        return {}
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids).only("id", "name", "username")}
