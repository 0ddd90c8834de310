"""Reads of notifications, and who should receive them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from guanjia.accounts.access import can_manage_estate_anywhere, visible_projects
from guanjia.accounts.models import User
from guanjia.estates.models import Project
from guanjia.notifications.models import Delivery, Level, Notification


def inbox_for(user: Any) -> QuerySet[Notification]:
    """``user``'s own notifications about projects they may still see (or about no project), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user)
    if not user.is_superuser:
        # A subquery, not a second round trip: the badge is polled by every open page.
        rows = rows.filter(Q(project__isnull=True) | Q(project_id__in=visible_projects(user).values("id")))
    return rows.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def unread_urgent(user: Any, limit: int = 10) -> list[Notification]:
    return list(inbox_for(user).filter(read_at__isnull=True, level=Level.URGENT)[:limit])


def staff_with_roles(project: Project, roles: Iterable[str]) -> QuerySet[User]:
    """Active staff holding one of ``roles`` for ``project``: members of the project, and company-wide staff
    (the general manager) of its company."""
    return (
        User.objects.filter(is_active=True, role__in=list(roles))
        .filter(Q(projects=project) | Q(company_wide=True, company_id=project.company_id))
        .distinct()
        .order_by("id")
    )


class StaffOfProjects:
    """``staff_with_roles`` for a batch of alerts about many projects (a sweep batch): on first use the active
    staff of every project named here (its members and the company-wide staff of its company) are read at once,
    two queries however many projects and roles are asked, then answered in memory, ordered by id as
    ``staff_with_roles`` answers. A project not named here is looked up on its own."""

    def __init__(self, projects: Iterable[Project]) -> None:
        self._projects = {project.pk: project for project in projects}
        self._by_role: dict[str, list[User]] | None = None
        self._members: dict[int, set[int]] = {}

    def _load(self) -> dict[str, list[User]]:
        if self._by_role is None:
            members = User.projects.through.objects.filter(project_id__in=list(self._projects), user__is_active=True)
            for project_id, user_id in members.values_list("project_id", "user_id"):
                self._members.setdefault(project_id, set()).add(user_id)
            companies = {project.company_id for project in self._projects.values()}
            ids = set().union(*self._members.values())
            staff = User.objects.filter(is_active=True).filter(
                Q(pk__in=ids) | Q(company_wide=True, company_id__in=companies)
            )
            self._by_role = {}
            for user in staff.order_by("id"):
                self._by_role.setdefault(user.role, []).append(user)
        return self._by_role

    def __call__(self, project: Project, roles: Iterable[str], *extra: User | None) -> list[User]:
        """Active staff of ``project`` holding one of ``roles``, then each of ``extra`` not among them."""
        wanted = set(roles)
        if project.pk not in self._projects:
            people = list(staff_with_roles(project, wanted)) if wanted else []
        else:
            by_role = self._load() if wanted else {}
            members = self._members.get(project.pk, set())
            people = sorted(
                (
                    user
                    for role in wanted
                    for user in by_role.get(role, ())
                    if user.pk in members or (user.company_wide and user.company_id == project.company_id)
                ),
                key=lambda user: user.pk,
            )
        seen = {user.pk for user in people}
        for user in extra:
            if user is not None and user.pk not in seen:
                seen.add(user.pk)
                people.append(user)
        return people


def can_see_deliveries(user: Any) -> bool:
    """The outgoing-message log: managers (office and general) and administrators."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or can_manage_estate_anywhere(user)))


def deliveries_for(user: Any) -> QuerySet[Delivery]:
    """Outgoing messages about the projects ``user`` sees (those about no project: administrators only),
    newest first."""
    if not can_see_deliveries(user):
        return Delivery.objects.none()
    rows = Delivery.objects.select_related("project")
    if not user.is_superuser:
        rows = rows.filter(project_id__in=visible_projects(user).values("id"))
    return rows.order_by("-created_at", "-id")
