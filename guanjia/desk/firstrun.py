"""The first-run page: what a person must do before the desk is theirs, computed live from the data.

Everyone whose account still has its one-time password changes it first (``must_change_password``, set by
office administration). An office manager also sees the estate's set-up checklist: homes imported, staff added,
every home's butler assigned, the service policy reviewed, next year's holiday calendar entered. Each item is a
count in SQL (a constant handful of queries, whatever the estate's size) with a link to the page that does it.
The desk opens the page after login while the estate cannot work yet (``FirstRun.urgent``) and otherwise links
to it while items remain. Once every item is done the manager may put the checklist away for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.accounts.models import Role, User
from guanjia.desk.models import FirstRunDismissal
from guanjia.estates.models import Project, Unit
from guanjia.policy.models import PolicyValue
from guanjia.workdays.models import CalendarYear

#: Items without which the estate's desk does not work yet.
URGENT_ITEMS = frozenset({"password", "units", "staff", "butlers"})


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    done: bool
    detail: str
    url: str | None  # the page that does it (None while that page is not installed)


@dataclass(frozen=True)
class FirstRun:
    items: tuple[Item, ...]
    dismissed: bool

    @property
    def remaining(self) -> int:
        return sum(1 for item in self.items if not item.done)

    @property
    def all_done(self) -> bool:
        return self.remaining == 0

    @property
    def urgent(self) -> bool:
        """The desk cannot be used yet (no homes, no colleagues, homes without a butler, a one-time password):
        the desk opens this page after login, once per session, instead of only linking to it."""
        return self.show and any(not item.done and item.key in URGENT_ITEMS for item in self.items)

    @property
    def show(self) -> bool:
        """Whether the desk sends the person here and links to it: something is left and it was not put away."""
        return bool(self.items) and not self.all_done and not self.dismissed


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def must_change_password(user: User) -> bool:
    return bool(getattr(user, "must_change_password", False))


def first_run(user: User, project: Project | None, *, now: datetime) -> FirstRun:
    """The items ``user`` has to do in ``project`` at ``now`` ("next year" is the year after ``now``'s)."""
    items: list[Item] = []
    if must_change_password(user):
        items.append(
            Item("password", _("修改初始密码"), False, _("您正在使用管理员设置的一次性密码。"), _url("password_change"))
        )
    dismissed = False
    if project is not None and user.role == Role.OFFICE_MANAGER:
        items += _estate_items(user, project, now=now)
        dismissed = FirstRunDismissal.objects.filter(user=user, project=project).exists()
    return FirstRun(items=tuple(items), dismissed=dismissed)


def _estate_items(user: User, project: Project, *, now: datetime) -> list[Item]:
    units = Unit.objects.filter(project=project).aggregate(
        total=Count("id"), without_butler=Count("id", filter=Q(butler__isnull=True))
    )
    staff = (
        User.objects.filter(projects=project, is_active=True)
        .exclude(pk=user.pk)
        .aggregate(total=Count("id", distinct=True), butlers=Count("id", filter=Q(role=Role.BUTLER), distinct=True))
    )
    policy_set = PolicyValue.objects.filter(
        Q(project=project) | Q(company_id=project.company_id, project=None)
    ).exists()
    next_year = timezone.localdate(now).year + 1
    calendar_entered = CalendarYear.objects.filter(year=next_year).exists()

    total, without_butler = units["total"], units["without_butler"]
    butlers_done = total > 0 and without_butler == 0 and staff["butlers"] > 0
    if total == 0:
        butler_detail = _("先导入房屋，再为每户指定管家。")
    elif without_butler:
        butler_detail = _("还有 %(n)d 户没有指定管家。") % {"n": without_butler}
    else:
        butler_detail = _("每户都有管家。")
    return [
        Item(
            "units",
            _("导入房屋和客户"),
            total > 0,
            _("已有 %(n)d 户房屋。") % {"n": total} if total else _("还没有房屋：用花名册模板导入楼栋、房屋和客户。"),
            _url("roster:import"),
        ),
        Item(
            "staff",
            _("添加员工"),
            staff["total"] > 0,
            _("本项目已有 %(n)d 名员工。") % {"n": staff["total"]}
            if staff["total"]
            else _("还没有其他员工：添加前台、管家、工程、秩序、环境等岗位的同事。"),
            _url("accounts:staff_list"),
        ),
        Item(
            "butlers",
            _("为每户指定管家"),
            butlers_done,
            butler_detail if staff["butlers"] or not total else _("本项目还没有管家。"),
            _url("accounts:staff_list", f"role={Role.BUTLER}"),
        ),
        Item(
            "policy",
            _("核对服务规范参数"),
            policy_set,
            _("已按本公司或本项目设置。") if policy_set else _("各项时限和标准仍是手册默认值，请核对后保存。"),
            _url("policy:settings"),
        ),
        Item(
            "calendar",
            _("录入 %(year)d 年节假日安排") % {"year": next_year},
            calendar_entered,
            _("%(year)d 年的放假和调休已录入。") % {"year": next_year}
            if calendar_entered
            else _("处理时限按工作日计算，须有 %(year)d 年的放假和调休安排。") % {"year": next_year},
            _url("workdays:calendar", f"year={next_year}"),
        ),
    ]


def dismiss(user: User, project: Project, *, now: datetime) -> bool:
    """Put the checklist away for good; only once every item is done. Returns whether it was put away."""
    if not first_run(user, project, now=now).all_done:
        return False
    FirstRunDismissal.objects.get_or_create(user=user, project=project, defaults={"dismissed_at": now})
    return True
