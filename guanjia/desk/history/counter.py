"""The last days at the counter: parcels waiting and handed over (F02), visitors (F01), keys out (F05), and the
duty log of yesterday's shifts with their signed handovers plus today's open shift (F08, F09)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from guanjia.accounts.models import Role, User
from guanjia.desk.history.clock import Scheduler, Story
from guanjia.desk.history.estate import Estate
from guanjia.desk.history.repairs import follow_up_public_repair
from guanjia.dutylog import services as ds
from guanjia.dutylog.models import CheckArea, CheckResult, ShiftKind
from guanjia.dutylog.selectors import open_matters
from guanjia.estates.models import Unit
from guanjia.frontdesk import services as fs
from guanjia.frontdesk.models import ConfirmMethod, CustodyKind, ProofKind
from guanjia.notifications.services import notification_mark_all_read

COURIERS = ("顺丰速运", "中通快递", "圆通速递", "京东物流", "韵达快递", "EMS")
SHELVES = ("A-01", "A-02", "A-03", "B-01", "B-02", "C-01")
SHIFT_HOURS = 12
DAY_SHIFT_STARTS = 8  # 08:00–20:00 day shift, 20:00–08:00 night shift


def spawn(est: Estate, scheduler: Scheduler, *, with_gm: bool) -> None:
    end = est.end
    rng = est.rng
    for i in range(14 if est.technicians()[1:] else 9):
        received = end - timedelta(hours=rng.uniform(1, 70))
        local = timezone.localtime(received)
        if local.hour < 8 or local.hour >= 21:
            received -= timedelta(hours=11)
        waiting = i < 5
        scheduler.spawn(received, parcel_story(est, waiting=waiting))
    scheduler.spawn(end - timedelta(hours=4, minutes=20), visitor_story(est, leaves=True))
    scheduler.spawn(end - timedelta(minutes=40), visitor_story(est, leaves=False))
    for i, unit in enumerate(est.vacant[:3]):
        scheduler.spawn(end - timedelta(days=20 - i), key_story(est, unit, i))
    for start, kind, until in shift_blocks(est.end):
        scheduler.spawn(start, shift_story(est, start, kind, until))
    scheduler.spawn(est.at(0, time(18, 0)), inbox_story(est, with_gm=with_gm))


def inbox_story(est: Estate, *, with_gm: bool) -> Story:
    """Staff read their notifications at the end of each working day; today's are still unread."""
    people = [user for users in est.staff.values() for user in users]
    if with_gm:
        people.append(est.gm)
    day = 0
    while True:
        for user in people:
            notification_mark_all_read(user=user)
        day += 1
        yield est.at(day, time(18, 0)) + est.minutes(0, 90)


# --- F02 parcels ------------------------------------------------------------------------------------------------


def parcel_story(est: Estate, *, waiting: bool) -> Story:
    rng = est.rng
    customer, unit = est.resident()
    issued = fs.custody_receive(
        project=est.project,
        kind=CustodyKind.PARCEL,
        description=rng.choice(("纸箱一件", "文件袋", "快递袋（软包）", "生鲜泡沫箱")),
        actor=est.desk(),
        owner_customer=customer,
        owner_unit=unit,
        depositor_name=rng.choice(COURIERS),
        tracking_number=f"SF{rng.randrange(10**11, 10**12)}",
        shelf=rng.choice(SHELVES),
    )
    if waiting:
        return
    yield est.working_hours_after(est.clock(), timedelta(hours=rng.uniform(0.5, 9)))
    fs.custody_hand_over(
        item=issued.obj,
        proof_kind=ProofKind.PICKUP_CODE,
        proof_value=issued.code,
        actor=est.desk(),
        taken_by_name=customer.name,
    )


# --- F01 visitors ---------------------------------------------------------------------------------------------


def visitor_story(est: Estate, *, leaves: bool) -> Story:
    rng = est.rng
    customer, unit = est.resident()
    desk = est.desk()
    visitor = fs.visitor_register(
        project=est.project,
        name=rng.choice(("张建新", "刘芳", "陈师傅", "赵敏", "孙立")),
        host_unit=unit,
        host_customer=customer,
        actor=desk,
        phone=f"139{rng.randrange(10**8):08d}",
        purpose=rng.choice(("探访亲友", "送家电安装", "上门家政服务")),
    )
    yield est.clock() + est.minutes(1, 3)
    fs.visitor_confirm_host(visitor=visitor, confirmed_by=customer.name, method=ConfirmMethod.INTERCOM, actor=desk)
    yield est.clock() + est.minutes(0.5, 1)
    fs.visitor_admit(visitor=visitor, actor=desk)
    if not leaves:
        return
    yield est.clock() + timedelta(hours=rng.uniform(1, 2.5))
    fs.visitor_sign_out(visitor=visitor, actor=desk)


# --- F05 keys ---------------------------------------------------------------------------------------------------


def key_story(est: Estate, unit: Unit, index: int) -> Story:
    """A vacant unit's key kept at the desk; out for an inspection now and then. The second is out now; the
    third went out this morning and is overdue (F05 flags it)."""
    item = fs.custody_receive(
        project=est.project,
        kind=CustodyKind.KEY,
        description="空置房钥匙两把（业主委托保管）",
        actor=est.first(Role.BUTLER),
        owner_unit=unit,
        shelf=f"钥匙柜 K-{index + 1:02d}",
        send_code=False,
    ).obj
    taker = est.technicians()[0] if est.technicians() else est.first(Role.BUTLER)
    yield est.working_hours_after(est.clock(), timedelta(days=6))
    fs.custody_hand_over(
        item=item,
        proof_kind=ProofKind.WORK_CARD,
        proof_value=taker.username,
        actor=est.desk(),
        purpose="空置房巡查，检查水电及门窗",
        due_back_at=est.clock() + timedelta(hours=3),
    )
    yield est.clock() + timedelta(hours=2)
    fs.custody_take_back(item=item, returned_by_name=taker.display_name, actor=est.desk())
    if index == 0:
        return
    yield est.end - (timedelta(hours=1, minutes=30) if index == 1 else timedelta(hours=10))
    fs.custody_hand_over(
        item=item,
        proof_kind=ProofKind.WORK_CARD,
        proof_value=taker.username,
        actor=est.desk(),
        purpose="陪同业主委托的装修公司量房" if index == 1 else "空置房开窗通风、检查渗水",
    )


# --- F08, F09 the duty log ---------------------------------------------------------------------------------------


def shift_blocks(end: datetime) -> list[tuple[datetime, str, datetime]]:
    """(start, kind, end) of the two shifts before the current one and of the current one."""
    local = timezone.localtime(end)
    day_start = timezone.make_aware(datetime.combine(local.date(), time(DAY_SHIFT_STARTS)))
    current = day_start if local >= day_start else day_start - timedelta(hours=SHIFT_HOURS)
    if local >= day_start + timedelta(hours=SHIFT_HOURS):
        current = day_start + timedelta(hours=SHIFT_HOURS)
    blocks: list[tuple[datetime, str, datetime]] = []
    for back in (2, 1, 0):
        start = current - timedelta(hours=SHIFT_HOURS * back)
        kind = ShiftKind.DAY if timezone.localtime(start).hour == DAY_SHIFT_STARTS else ShiftKind.NIGHT
        blocks.append((start, kind, start + timedelta(hours=SHIFT_HOURS)))
    return blocks


def _crew(est: Estate, kind: str) -> tuple[User, User]:
    """(who keeps the log, who takes over from them) for a shift of ``kind``."""
    desks = est.staff.get(Role.FRONT_DESK, [])
    day_person = desks[0]
    night_person = desks[1] if len(desks) > 1 else est.first(Role.BUTLER)
    return (day_person, night_person) if kind == ShiftKind.DAY else (night_person, day_person)


LOG_LINES = {
    ShiftKind.DAY: (
        ("09:20 3栋业主来电询问装修申请流程，已告知所需材料。", False),
        ("11:05 环境部反映中心花园喷灌定时器故障，已通知工程部。", True),
        ("15:40 电梯维保单位例行保养 2栋1单元电梯，停运一小时，已在大堂张贴提示。", False),
        ("17:30 快递柜满，新到快递暂存前台货架。", False),
    ),
    ShiftKind.NIGHT: (
        ("21:30 夜间巡查一次，各单元门禁正常。", False),
        ("23:10 5栋业主反映楼上噪音，秩序部已上门劝导。", False),
        ("02:00 地库排水泵自动启动一次，运行正常。", False),
        ("06:30 垃圾清运车到场，清运完毕。", False),
    ),
}


def shift_story(est: Estate, start: datetime, kind: str, until: datetime) -> Story:
    rng = est.rng
    keeper, successor = _crew(est, kind)
    security = est.staff.get(Role.SECURITY, [])
    shift = ds.shift_open(
        project=est.project, kind=kind, starts_at=start, ends_at=until, on_duty=[keeper, *security[:1]], actor=keeper
    )
    yield start + est.minutes(20, 50)
    # The day round finds the lobby lights flickering, a public-area work order with 15-minute limits; only on a
    # round whose order can be seen through before "now", so the demo never starts with such a limit running.
    anomaly = CheckArea.LIGHTS if kind == ShiftKind.DAY and start + timedelta(hours=2) < est.end else ""
    for area in CheckArea.values:
        yield est.clock() + est.minutes(2, 6)
        if area == anomaly:
            item = ds.checklist_record(
                shift=shift, area=area, result=CheckResult.ANOMALY, note="5栋大堂两根灯管闪烁", actor=keeper
            )
            item = ds.checklist_request_repair(item=item, actor=keeper)
            if item.repair_ref:
                est.scheduler.spawn(est.clock(), follow_up_public_repair(est, item.repair_ref, keeper))
        else:
            ds.checklist_record(shift=shift, area=area, result=CheckResult.OK, actor=keeper)
    for text, is_open in LOG_LINES[ShiftKind(kind)]:
        hour, minute = (int(x) for x in text[:5].split(":"))
        moment = timezone.make_aware(datetime.combine(timezone.localtime(start).date(), time(hour, minute)))
        if moment < start:
            moment += timedelta(days=1)
        if moment <= est.clock():
            continue
        if is_open and open_matters(est.project).filter(text=text[6:]).exists():
            continue  # still open from an earlier shift: it carries over, nobody logs it again
        yield moment + est.minutes(0, 4)
        ds.log_entry_add(shift=shift, text=text[6:], actor=keeper, is_open=is_open, at=moment)
    yield until - est.minutes(5, 12)
    handover = ds.handover_submit(
        shift=shift,
        actor=keeper,
        open_matters="中心花园喷灌定时器待工程部更换。" if kind == ShiftKind.DAY else "无",
        custody_note=f"前台代收快递 {rng.randrange(3, 9)} 件，钥匙柜钥匙已清点。",
    )
    yield until + est.minutes(2, 8)
    ds.handover_sign(handover=handover, actor=successor)
