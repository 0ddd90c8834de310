"""The catalogue of policy keys: every threshold and time limit of the manual, with the manual's default.

A key is stable (later issues read it by name); its type decides how a stored value is parsed and checked.
The numbers come from seed 000 (§3.4.2.2 grades, §3.4.2.3 complaint time limits, §3.4.3.3 return visits,
§3.4.4.2 repairs); where the manual leaves a value open, the key says ``source="product"``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Complaint grades, lowest first (C06–C09). The complaints app keeps its own choices with these values.
GRADES = ("general", "significant", "major", "critical")
GRADE_LABELS = {"general": _("一般"), "significant": _("较大"), "major": _("重大"), "critical": _("特别重大")}

#: Case types of a return visit (V01), as in the API's ``case_type`` plus the incident row of the manual.
VISIT_CASES = ("incident", "complaint", "repair", "special_service", "activity", "other")
#: V08: the roles with a monthly quota of complaint return visits; each reads ``visit.quota.<role>``.
VISIT_QUOTA_ROLES = ("cs_supervisor", "office_manager")
#: V01: complaints of these grades (特别重大及重大事件) are visited like an incident, in or out of one: within
#: ``visit.due_working_days.incident`` working days, by the general manager or the office manager, on site.
VISIT_MAJOR_GRADES = ("major", "critical")


class Kind(enum.StrEnum):
    INT = "int"
    DECIMAL = "decimal"
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"
    ROLE = "role"
    PERCENT = "percent"
    BOOL = "bool"
    CHOICE = "choice"


#: Kinds whose value is a whole number.
INTEGER_KINDS = frozenset({Kind.INT, Kind.MINUTES, Kind.HOURS, Kind.DAYS, Kind.WORKING_DAYS, Kind.PERCENT})


@dataclass(frozen=True)
class PolicyKey:
    key: str
    kind: Kind
    default: Any
    label: str | Promise
    rule: str
    unit: str | Promise = ""
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    #: None is a meaningful value ("no escalation", "agreed with the customer").
    nullable: bool = False
    none_label: str | Promise = ""
    choices: tuple[tuple[str, str | Promise], ...] = ()
    #: "manual" when the default is the manual's number; "product" when the manual leaves it open.
    source: str = "manual"


# Roles offered for escalation and visits; kept as plain values so this module imports no models.
ROLE_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    ("general_manager", _("总经理")),
    ("office_manager", _("管理处经理")),
    ("cs_supervisor", _("客服主管")),
    ("front_desk", _("前台")),
    ("customer_assistant", _("客户助理")),
    ("butler", _("管家")),
)
#: V01: a critical or major complaint is visited by the general manager or the office manager, as the general
#: manager decides (总经理或管理处经理确定).
MAJOR_VISITOR_CHOICES: tuple[tuple[str, str | Promise], ...] = ROLE_CHOICES[:2]
SPECIAL_SERVICE_WHEN: tuple[tuple[str, str | Promise], ...] = (
    ("midterm_or_end", _("协议执行期中期或结束后")),
    ("midterm", _("协议执行期中期")),
    ("end", _("协议结束后")),
)

MINUTES_MAX = 7 * 24 * 60
_min = _("分钟")
_yuan = _("元")
_times = _("次")


def _minutes(key: str, default: int | None, label: str | Promise, rule: str, **kw: Any) -> PolicyKey:
    return PolicyKey(key, Kind.MINUTES, default, label, rule, _min, kw.pop("minimum", 1), MINUTES_MAX, **kw)


def _threshold(key: str, default: int, label: str | Promise, rule: str, unit: str | Promise) -> PolicyKey:
    return PolicyKey(key, Kind.INT, default, label, rule, unit, 1, 100_000)


def _loss(key: str, default: int, label: str | Promise, rule: str) -> PolicyKey:
    return PolicyKey(key, Kind.DECIMAL, Decimal(default), label, rule, _yuan, Decimal("0.01"), Decimal(10**10))


_KEYS: list[PolicyKey] = [
    # C06 特别重大 (critical)
    _loss("complaint.critical.loss_yuan", 100_000, _("特别重大：经济损失不低于"), "C06"),
    _threshold("complaint.critical.customers", 10, _("特别重大：同一事件集体投诉客户数不低于"), "C06", _("人")),
    _threshold("complaint.critical.deaths", 1, _("特别重大：造成死亡人数不低于"), "C06", _("人")),
    # C07 重大 (major)
    _loss("complaint.major.loss_yuan", 10_000, _("重大：经济损失不低于"), "C07"),
    _threshold("complaint.major.repeats", 10, _("重大：同一事项反复提出而未解决的次数不低于"), "C07", _times),
    _threshold("complaint.major.media_days", 2, _("重大：同一事件被负面报道天数不低于"), "C07", _("天")),
    _threshold("complaint.major.media_outlets", 3, _("重大：报道媒体家数不低于"), "C07", _("家")),
    # C08 较大 (significant)
    _loss("complaint.significant.loss_yuan", 2_000, _("较大：经济损失不低于"), "C08"),
    _threshold("complaint.significant.repeats", 3, _("较大：同一事项投诉而未解决的次数不低于"), "C08", _times),
    # C13 time limits per grade
    _minutes("complaint.response_minutes.general", 10, _("一般投诉：响应时限"), "C13"),
    _minutes("complaint.response_minutes.significant", 8, _("较大投诉：响应时限"), "C13"),
    _minutes("complaint.response_minutes.major", 5, _("重大投诉：响应时限"), "C13"),
    _minutes("complaint.response_minutes.critical", 1, _("特别重大投诉：响应时限"), "C13"),
    PolicyKey(
        "complaint.escalate_to.general",
        Kind.ROLE,
        None,
        _("一般投诉：上报对象"),
        "C13",
        nullable=True,
        none_label=_("不上报"),
        choices=ROLE_CHOICES,
    ),
    PolicyKey(
        "complaint.escalate_to.significant",
        Kind.ROLE,
        "office_manager",
        _("较大投诉：上报对象"),
        "C13",
        nullable=True,
        none_label=_("不上报"),
        choices=ROLE_CHOICES,
    ),
    PolicyKey(
        "complaint.escalate_to.major",
        Kind.ROLE,
        "general_manager",
        _("重大投诉：上报对象"),
        "C13",
        nullable=True,
        none_label=_("不上报"),
        choices=ROLE_CHOICES,
    ),
    PolicyKey(
        "complaint.escalate_to.critical",
        Kind.ROLE,
        "general_manager",
        _("特别重大投诉：上报对象"),
        "C13",
        nullable=True,
        none_label=_("不上报"),
        choices=ROLE_CHOICES,
    ),
    _minutes(
        "complaint.escalate_minutes.general", None, _("一般投诉：上报时限"), "C13", nullable=True, none_label=_("—")
    ),
    _minutes("complaint.escalate_minutes.significant", 8, _("较大投诉：上报时限"), "C13"),
    _minutes("complaint.escalate_minutes.major", 5, _("重大投诉：上报时限"), "C13"),
    _minutes("complaint.escalate_minutes.critical", 1, _("特别重大投诉：上报时限"), "C13"),
    PolicyKey(
        "complaint.resolve_limit.general", Kind.HOURS, 12, _("一般投诉：处理完毕时限"), "C13", _("小时"), 1, 24 * 90
    ),
    PolicyKey(
        "complaint.resolve_limit.significant", Kind.HOURS, 48, _("较大投诉：处理完毕时限"), "C13", _("小时"), 1, 24 * 90
    ),
    PolicyKey("complaint.resolve_limit.major", Kind.DAYS, 5, _("重大投诉：处理完毕时限"), "C13", _("天"), 1, 90),
    PolicyKey(
        "complaint.resolve_limit.critical",
        Kind.DAYS,
        None,
        _("特别重大投诉：处理完毕时限"),
        "C13",
        _("天"),
        1,
        90,
        nullable=True,
        none_label=_("一事一议，与客户约定"),
    ),
    # C16: the manual asks for a reminder but names no lead time.
    _minutes("complaint.reply_reminder_minutes", 30, _("约定回复时间前提醒"), "C16", minimum=0, source="product"),
    # C01: registering, the desk is shown the customer's, the unit's and similar complaints of this many days,
    # to add to one of them instead of registering the same complaint twice.
    PolicyKey(
        "complaint.duplicate_window_days",
        Kind.DAYS,
        30,
        _("登记时提示近期相似投诉的天数"),
        "C01",
        _("天"),
        1,
        365,
        source="product",
    ),
    # R02–R05 repairs
    _minutes("repair.order_minutes", 5, _("报修后填写派工单时限"), "R02"),
    _minutes("repair.notify_minutes", 5, _("通知工程部领取派工单时限"), "R02"),
    _minutes("repair.arrive_minutes", 15, _("标准项目即时维修：接单后到场时限"), "R03"),
    _minutes("repair.arrive_before_appointment_minutes", 5, _("预约维修：提前到场"), "R04", minimum=0),
    _minutes("repair.assess_minutes", 15, _("非标准项目：接单后评估时限"), "R05"),
    # V01 return-visit due dates, counted in working days after completion (V04)
    PolicyKey(
        "visit.due_working_days.incident",
        Kind.WORKING_DAYS,
        1,
        _("特别重大及重大事件回访"),
        "V01",
        _("个工作日"),
        1,
        30,
    ),
    PolicyKey("visit.due_working_days.complaint", Kind.WORKING_DAYS, 2, _("投诉回访"), "V01", _("个工作日"), 1, 30),
    PolicyKey("visit.due_working_days.repair", Kind.WORKING_DAYS, 2, _("工程维修回访"), "V01", _("个工作日"), 1, 30),
    PolicyKey("visit.due_working_days.activity", Kind.WORKING_DAYS, 2, _("小区活动回访"), "V01", _("个工作日"), 1, 30),
    PolicyKey("visit.due_working_days.other", Kind.WORKING_DAYS, 1, _("其他服务回访"), "V01", _("个工作日"), 1, 30),
    PolicyKey(
        "visit.special_service.when",
        Kind.CHOICE,
        "midterm_or_end",
        _("特约服务回访时间"),
        "V01",
        choices=SPECIAL_SERVICE_WHEN,
    ),
    PolicyKey("visit.sample_percent.activity", Kind.PERCENT, 20, _("小区活动回访抽样比例"), "V01", "%", 1, 100),
    # The manual leaves the rate of "other" visits to the office manager; every case is visited by default.
    PolicyKey(
        "visit.sample_percent.other", Kind.PERCENT, 100, _("其他服务回访比例"), "V01", "%", 1, 100, source="product"
    ),
    # V02 who visits
    PolicyKey(
        "visit.visitor_role.complaint_critical",
        Kind.ROLE,
        "general_manager",
        _("特别重大投诉回访人"),
        "V02",
        choices=MAJOR_VISITOR_CHOICES,
    ),
    PolicyKey(
        "visit.visitor_role.complaint_major",
        Kind.ROLE,
        "general_manager",
        _("重大投诉回访人"),
        "V02",
        choices=MAJOR_VISITOR_CHOICES,
    ),
    PolicyKey(
        "visit.visitor_role.complaint_significant",
        Kind.ROLE,
        "office_manager",
        _("较大投诉回访人"),
        "V02",
        choices=ROLE_CHOICES,
    ),
    PolicyKey(
        "visit.visitor_role.complaint_general",
        Kind.ROLE,
        "front_desk",
        _("一般投诉回访人"),
        "V02",
        choices=ROLE_CHOICES,
    ),
    PolicyKey("visit.visitor_role.repair", Kind.ROLE, "front_desk", _("维修回访人"), "V02", choices=ROLE_CHOICES),
    PolicyKey(
        "visit.visitor_role.special_service", Kind.ROLE, "front_desk", _("特约服务回访人"), "V02", choices=ROLE_CHOICES
    ),
    PolicyKey("visit.visitor_role.activity", Kind.ROLE, "front_desk", _("小区活动回访人"), "V02", choices=ROLE_CHOICES),
    PolicyKey(
        "visit.visitor_role.other",
        Kind.ROLE,
        "front_desk",
        _("其他服务回访人"),
        "V02",
        choices=ROLE_CHOICES,
        source="product",
    ),
    # V07: a visit still open this many days after its planned day becomes a door-to-door task for the desk.
    PolicyKey("visit.door_followup_days", Kind.DAYS, 3, _("回访逾期转上门跟进"), "V07", _("天"), 1, 30),
    # V10: the month's visit records (with the complaint and repair flows) are exported by this day of the next
    # month; from the start of that day the CS supervisor and the office manager are reminded of a missing one.
    PolicyKey(
        "visit.records_export_day",
        Kind.INT,
        10,
        _("回访记录月度导出：次月几日前完成"),
        "V10",
        _("日"),
        2,
        28,
    ),
    # V08 quotas (002 §2.7.7): complaint return visits a person makes a month, at least.
    PolicyKey(
        "visit.quota.cs_supervisor",
        Kind.INT,
        3,
        _("客服主管（客户服务中心经理）每月投诉回访不少于"),
        "V08",
        _times,
        0,
        1000,
    ),
    PolicyKey(
        "visit.quota.office_manager",
        Kind.INT,
        1,
        _("管理处经理（总物业经理）每月投诉回访不少于"),
        "V08",
        _times,
        0,
        1000,
    ),
    # F02, F04, F05: the front desk's ledgers (seed 000 §3.4.1).
    PolicyKey("frontdesk.parcel_age_days", Kind.DAYS, 3, _("快递包裹、信件、转交物品滞留提醒"), "F02", _("天"), 1, 90),
    PolicyKey(
        "frontdesk.loan_hours", Kind.HOURS, 24, _("借用物品未约定归还时间的归还时限"), "F04", _("小时"), 1, 24 * 30
    ),
    PolicyKey("frontdesk.key_hours", Kind.HOURS, 8, _("钥匙未约定归还时间的归还时限"), "F05", _("小时"), 1, 24 * 30),
    # T01, T03, T04: the follow-up service (seed 001 售后服务管理制度), counted as V04 counts days.
    PolicyKey("followup.archive_days", Kind.DAYS, 2, _("首次服务或咨询后建立客户档案时限"), "T01", _("天"), 1, 30),
    PolicyKey("followup.issue_escalate_days", Kind.DAYS, 2, _("未解决事项上报主管时限"), "T03", _("天"), 1, 30),
    PolicyKey("followup.invitation_lead_days", Kind.DAYS, 14, _("活动前电话邀请提前"), "T04", _("天"), 1, 90),
    PolicyKey("followup.letter_days", Kind.DAYS, 2, _("电话邀请后寄出信函时限"), "T04", _("天"), 1, 30),
]

KEYS: dict[str, PolicyKey] = {k.key: k for k in _KEYS}
assert len(KEYS) == len(_KEYS), "duplicate policy key"

#: Groups of keys whose values must rise strictly from the first to the last (C06–C08 thresholds).
ORDERED: tuple[tuple[str, ...], ...] = (
    ("complaint.significant.loss_yuan", "complaint.major.loss_yuan", "complaint.critical.loss_yuan"),
    ("complaint.significant.repeats", "complaint.major.repeats"),
)

#: Rule groups in the order the settings page shows them, with a title each.
RULE_TITLES: dict[str, str | Promise] = {
    "C01": _("C01 投诉登记"),
    "C06": _("C06 特别重大投诉界定"),
    "C07": _("C07 重大投诉界定"),
    "C08": _("C08 较大投诉界定"),
    "C13": _("C13 投诉处理时效"),
    "C16": _("C16 约定回复提醒"),
    "R02": _("R02 派工单"),
    "R03": _("R03 标准项目即时维修"),
    "R04": _("R04 预约维修"),
    "R05": _("R05 非标准项目评估"),
    "V01": _("V01 回访时效"),
    "V02": _("V02 回访人"),
    "V07": _("V07 上门跟进"),
    "V08": _("V08 投诉回访指标"),
    "V10": _("V10 回访记录导出"),
    "F02": _("F02 快递包裹与信件"),
    "F04": _("F04 物品借用"),
    "F05": _("F05 钥匙借用"),
    "T01": _("T01 客户档案"),
    "T03": _("T03 跟踪事项上报"),
    "T04": _("T04 活动邀请与信函"),
}


def get_key(key: str) -> PolicyKey:
    try:
        return KEYS[key]
    except KeyError:
        raise KeyError(f"unknown policy key {key!r}") from None


def to_json(spec: PolicyKey, value: Any) -> Any:
    """The stored (JSON) form of a typed value: decimals as strings so no precision is lost."""
    if value is None:
        return None
    if spec.kind is Kind.DECIMAL:
        return str(value)
    return value


def from_json(spec: PolicyKey, raw: Any) -> Any:
    """The typed value of a stored one (trusted: it was validated when it was written)."""
    if raw is None:
        return None
    if spec.kind is Kind.DECIMAL:
        return Decimal(str(raw))
    if spec.kind in INTEGER_KINDS:
        return int(raw)
    if spec.kind is Kind.BOOL:
        return bool(raw)
    return str(raw)
