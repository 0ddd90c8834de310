"""The counter's daily work (F08–F14): shifts with their checklist and log, the handover, calls with relays
and answer-later tasks, the standard phrases, meeting rooms, notices and fees.

Every status here changes through ``guanjia.core.states.transition``, which checks the move against the
model's ``ALLOWED_TRANSITIONS`` map and appends a timeline event in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanjia.core.evidence import AppendOnly

USER = settings.AUTH_USER_MODEL


# --- F08 Duty log -------------------------------------------------------------------------------------
class ShiftKind(models.TextChoices):
    DAY = "day", _("白班")
    NIGHT = "night", _("夜班")
    OTHER = "other", _("其他班次")


class Shift(models.Model):
    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("班次"), max_length=16, choices=ShiftKind.choices, default=ShiftKind.DAY)
    name = models.CharField(_("班次名称"), max_length=30, blank=True, help_text=_("其他班次时填写，如 中班"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    on_duty: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, verbose_name=_("值班人员"), related_name="+"
    )
    opened_by = models.ForeignKey(USER, verbose_name=_("开班人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["project", "starts_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.label} {self.starts_at:%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())


class CheckArea(models.TextChoices):
    """The areas the manual's duty log checks (001: 大堂/楼层 值班日志 a–d)."""

    DOORS = "doors", _("门窗")
    FACILITIES = "facilities", _("设施")
    LIGHTS = "lights", _("照明")
    FIRE = "fire", _("消防器材")
    AIRCON = "aircon", _("空调")
    CLEANLINESS = "cleanliness", _("卫生")
    PLANTS = "plants", _("绿植")
    LIFTS = "lifts", _("电梯")
    BARRIERS = "barriers", _("道闸")


class CheckResult(models.TextChoices):
    OK = "ok", _("正常")
    ANOMALY = "anomaly", _("异常")


class ChecklistItem(models.Model):
    """One area's check in one shift; re-checking overwrites the result (the timeline keeps each)."""

    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="checks")
    area = models.CharField(_("区域"), max_length=16, choices=CheckArea.choices)
    result = models.CharField(_("结果"), max_length=8, choices=CheckResult.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    checked_by = models.ForeignKey(USER, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("检查时间"))
    repair_requested_at = models.DateTimeField(_("转报修时间"), null=True, blank=True)
    repair_ref = models.CharField(
        _("维修单"), max_length=40, blank=True, help_text=_("报修单编号；为空且已转报修时表示“待开维修单”")
    )

    class Meta:
        verbose_name = _("值班检查")
        verbose_name_plural = _("值班检查")
        ordering = ["shift_id", "id"]
        constraints = [models.UniqueConstraint(fields=["shift", "area"], name="checklist_one_per_area")]

    def __str__(self) -> str:
        return f"{self.get_area_display()} {self.get_result_display()}"

    @property
    def needs_repair(self) -> bool:
        return self.repair_requested_at is not None and not self.repair_ref


class DutyLogEntry(models.Model):
    """A free note of the shift. An "open" entry is a matter that carries over shift to shift until closed."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="entries")
    at = models.DateTimeField(_("时间"))
    author = models.ForeignKey(USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("内容"))
    is_open = models.BooleanField(_("待跟进"), default=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("关闭人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.CharField(_("处理结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("值班日志")
        verbose_name_plural = _("值班日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "is_open", "closed_at"])]

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def still_open(self) -> bool:
        return self.is_open and self.closed_at is None


# --- F09 Handover ---------------------------------------------------------------------------------------
class HandoverStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已交班，待接班签名")
    SIGNED = "signed", _("已接班签名")


class Handover(models.Model):
    """The handover of one shift. Submitted by the outgoing shift, signed on by the incoming one; once signed
    nothing changes, and what was handed over lives in the append-only ``HandoverSnapshot``."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    shift = models.OneToOneField(Shift, verbose_name=_("交班班次"), on_delete=models.PROTECT, related_name="handover")
    status = models.CharField(_("状态"), max_length=16, choices=HandoverStatus.choices)
    open_matters = models.TextField(_("未完事项"), blank=True)
    custody_note = models.TextField(_("代管物品说明"), blank=True)
    submitted_by = models.ForeignKey(USER, verbose_name=_("交班人"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("交班时间"))
    signed_by = models.ForeignKey(
        USER, verbose_name=_("接班人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("接班签名时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("交接班")
        verbose_name_plural = _("交接班")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.shift} {self.get_status_display()}"


class HandoverSnapshot(AppendOnly):
    """What the sheet showed when it was handed over (live data frozen as JSON). Never rewritten."""

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="snapshots")
    taken_at = models.DateTimeField(_("时间"))
    data = models.JSONField(_("交接内容"))

    class Meta:
        verbose_name = _("交接快照")
        verbose_name_plural = _("交接快照")
        ordering = ["taken_at", "id"]

    def __str__(self) -> str:
        return f"{self.handover_id} @ {self.taken_at:%Y-%m-%d %H:%M}"


# --- F10 Calls --------------------------------------------------------------------------------------------
class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("已当场答复")
    RELAYED = "relayed", _("已转告")
    LATER = "later", _("待回复")
    REGISTERED = "registered", _("已登记为投诉/报修")


class CallRecord(models.Model):
    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("来电时间"))
    caller = models.CharField(_("来电人"), max_length=50)
    phone = models.CharField(_("来电号码"), max_length=20, blank=True)
    customer = models.ForeignKey(
        "estates.Customer", verbose_name=_("客户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    about = models.CharField(_("事由"), max_length=300)
    answered_by = models.ForeignKey(USER, verbose_name=_("接听人"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结果"), max_length=16, choices=CallOutcome.choices, default=CallOutcome.ANSWERED)

    class Meta:
        verbose_name = _("来电记录")
        verbose_name_plural = _("来电记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "at"])]

    def __str__(self) -> str:
        return f"{self.caller} {self.about[:20]}"


class RelayStatus(models.TextChoices):
    SENT = "sent", _("已转告，未读")
    READ = "read", _("已读")


class Relay(models.Model):
    """A message for a colleague who was absent (004: 转告记录), tracked until the colleague reads it."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey(
        CallRecord, verbose_name=_("来电"), null=True, blank=True, on_delete=models.PROTECT, related_name="relays"
    )
    to_user = models.ForeignKey(USER, verbose_name=_("转告给"), on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("转告内容"))
    sent_by = models.ForeignKey(USER, verbose_name=_("转告人"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("转告时间"))
    status = models.CharField(_("状态"), max_length=8, choices=RelayStatus.choices, default=RelayStatus.SENT)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("转告")
        verbose_name_plural = _("转告")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["project", "status"]), models.Index(fields=["to_user", "status"])]

    def __str__(self) -> str:
        return self.message[:30]


class FollowUpTask(models.Model):
    """A question that could not be answered on the call, to be answered later (F10)."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey(
        CallRecord, verbose_name=_("来电"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    question = models.TextField(_("待答复问题"))
    assignee = models.ForeignKey(USER, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("答复期限"))
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))
    done_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("答复内容"), blank=True)

    class Meta:
        verbose_name = _("待答复事项")
        verbose_name_plural = _("待答复事项")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["project", "done_at", "due_at"])]

    def __str__(self) -> str:
        return self.question[:30]

    def is_overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at < now


# --- F14 Standard phrases ---------------------------------------------------------------------------------
class PhraseCategory(models.TextChoices):
    """The manual's 日常标准用语 (004 §一.5) and the phone greeting (004 §二)."""

    PHONE = "phone", _("接听电话")
    GREETING = "greeting", _("问候语")
    WELCOME = "welcome", _("欢迎语")
    MEETING = "meeting", _("见面语")
    APOLOGY = "apology", _("致歉语")
    REQUEST = "request", _("祈请语")
    THANKS = "thanks", _("致谢语")
    FAREWELL = "farewell", _("辞别语")
    CONGRATULATION = "congratulation", _("祝贺语")


class Phrase(models.Model):
    """A standard phrase. ``project`` empty: the manual's phrase for every project. ``{office}`` in the text
    is replaced by the project's name, ``{phone}`` by its service phone."""

    project = models.ForeignKey(
        "estates.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("类别"), max_length=16, choices=PhraseCategory.choices)
    text = models.CharField(_("用语"), max_length=200)
    note = models.CharField(_("使用说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("标准用语")
        verbose_name_plural = _("标准用语")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


# --- F11 Meeting rooms ------------------------------------------------------------------------------------
class MeetingRoom(models.Model):
    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("会议室"), max_length=50)
    location = models.CharField(_("位置"), max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(_("容纳人数"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("会议室")
        verbose_name_plural = _("会议室")
        ordering = ["project_id", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="meeting_room_name_unique")]

    def __str__(self) -> str:
        return self.name


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    PREPARED = "prepared", _("已布置")
    IN_USE = "in_use", _("使用中")
    CHECKED = "checked", _("已检查归还")
    CANCELLED = "cancelled", _("已取消")


class Booking(models.Model):
    """A meeting-room booking (001: 会议室使用申请单): request, approval, preparation, service, check after."""

    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        BookingStatus.REQUESTED: frozenset({BookingStatus.APPROVED, BookingStatus.REFUSED, BookingStatus.CANCELLED}),
        BookingStatus.APPROVED: frozenset({BookingStatus.PREPARED, BookingStatus.CANCELLED}),
        BookingStatus.PREPARED: frozenset({BookingStatus.IN_USE, BookingStatus.CANCELLED}),
        BookingStatus.IN_USE: frozenset({BookingStatus.CHECKED}),
    }
    #: Bookings that hold the room (a refused or cancelled one frees it).
    HOLDING = (BookingStatus.REQUESTED, BookingStatus.APPROVED, BookingStatus.PREPARED, BookingStatus.IN_USE)

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(MeetingRoom, verbose_name=_("会议室"), on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    booked_for = models.CharField(_("使用人"), max_length=100, help_text=_("客户姓名、房号或部门"))
    purpose = models.CharField(_("用途"), max_length=200)
    needs = models.CharField(_("布置要求"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.REQUESTED)
    requested_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        USER, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    check_note = models.CharField(_("设施检查情况"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        USER, verbose_name=_("检查人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议室预订")
        verbose_name_plural = _("会议室预订")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["room", "starts_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.room_id} {self.starts_at:%m-%d %H:%M}"


# --- F12 Notices ------------------------------------------------------------------------------------------
class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("温馨提示")
    NOTICE = "notice", _("通知")
    ANNOUNCEMENT = "announcement", _("通告")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审批")
    POSTED = "posted", _("已张贴")
    TAKEN_DOWN = "taken_down", _("已撤下")
    ARCHIVED = "archived", _("已归档")


class Notice(models.Model):
    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        NoticeStatus.DRAFT: frozenset({NoticeStatus.APPROVED}),
        NoticeStatus.APPROVED: frozenset({NoticeStatus.POSTED}),
        NoticeStatus.POSTED: frozenset({NoticeStatus.TAKEN_DOWN}),
        NoticeStatus.TAKEN_DOWN: frozenset({NoticeStatus.ARCHIVED}),
    }

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    status = models.CharField(_("状态"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    drafted_by = models.ForeignKey(USER, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("起草时间"))
    approved_by = models.ForeignKey(
        USER, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    locations = models.CharField(_("张贴位置"), max_length=200, blank=True)
    posted_at = models.DateTimeField(_("张贴时间"), null=True, blank=True)
    take_down_due = models.DateTimeField(_("计划撤下时间"), null=True, blank=True)
    taken_down_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    taken_down_by = models.ForeignKey(
        USER, verbose_name=_("撤下人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-drafted_at", "-id"]
        indexes = [models.Index(fields=["project", "status", "take_down_due"])]

    def __str__(self) -> str:
        return self.title


# --- F13 Fees ---------------------------------------------------------------------------------------------
class FeeKind(models.TextChoices):
    MANAGEMENT = "management", _("管理费")
    WATER = "water", _("水费")
    ELECTRICITY = "electricity", _("电费")
    PARKING = "parking", _("车位费")


class FeeNotice(models.Model):
    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("estates.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("所属期间"), max_length=7, help_text=_("如 2026-11"))
    kind = models.CharField(_("费用类别"), max_length=16, choices=FeeKind.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    sent_at = models.DateTimeField(_("发出时间"))
    sent_by = models.ForeignKey(USER, verbose_name=_("发出人"), on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("缴清时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("缴费通知")
        verbose_name_plural = _("缴费通知")
        ordering = ["-period", "unit_id", "kind"]
        indexes = [models.Index(fields=["project", "paid_at"])]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "kind"], name="fee_notice_once_per_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_notice_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} {self.amount}"


class CollectionPlan(models.Model):
    """The follow-up of one unit's arrears (催缴计划). One open plan per unit."""

    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("estates.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(USER, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    plan = models.TextField(_("催缴安排"))
    created_at = models.DateTimeField(_("建立时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("催缴计划")
        verbose_name_plural = _("催缴计划")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(closed_at__isnull=True), name="collection_plan_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.created_at:%Y-%m-%d}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    LETTER = "letter", _("书面催缴函")
    SMS = "sms", _("短信")


class FollowUpRecord(models.Model):
    plan = models.ForeignKey(
        CollectionPlan, verbose_name=_("催缴计划"), on_delete=models.PROTECT, related_name="records"
    )
    at = models.DateTimeField(_("时间"))
    method = models.CharField(_("方式"), max_length=8, choices=ContactMethod.choices)
    result = models.CharField(_("结果"), max_length=300)
    next_step = models.CharField(_("下一步"), max_length=300, blank=True)
    next_at = models.DateField(_("下次跟进日期"), null=True, blank=True)
    by = models.ForeignKey(USER, verbose_name=_("跟进人"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("催缴跟进记录")
        verbose_name_plural = _("催缴跟进记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.result[:30]


class ParkingSpace(models.Model):
    project = models.ForeignKey("estates.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("车位号"), max_length=20)
    holder = models.ForeignKey(
        "estates.Customer", verbose_name=_("使用人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "estates.Unit", verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plate = models.CharField(_("车牌"), max_length=12, blank=True)
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_to = models.DateField(_("到期日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("车位")
        verbose_name_plural = _("车位")
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="parking_space_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="parking_space_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.number
