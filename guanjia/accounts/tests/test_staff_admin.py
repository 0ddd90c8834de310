"""Staff in Django's admin (superusers): the list shows role, projects and state; changes reach the timeline."""

from __future__ import annotations

import re

from django.urls import reverse

from guanjia.accounts.models import Role, User
from guanjia.testing.factories import make_staff
from guanjia.timeline.selectors import events_for


def test_admin_lists_staff_with_role_and_projects(world, client):
    root = make_staff(Role.GENERAL_MANAGER, company=world.company, is_superuser=True, is_staff=True, username="root")
    client.force_login(root)

    page = client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "butler"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "王管家" in text and "滨江花园" in text and "刘师傅" not in text
    assert client.get(reverse("admin:accounts_user_change", args=[world.butler.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_admin_change_and_password_reset_are_on_the_timeline(world, client):
    root = make_staff(Role.GENERAL_MANAGER, company=world.company, is_superuser=True, is_staff=True, username="root")
    client.force_login(root)
    url = reverse("admin:accounts_user_change", args=[world.technician.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "last_login")}
    data.update(
        role="engineering_supervisor",
        projects=[world.estate.pk, world.other_estate.pk],
        date_joined_0=world.technician.date_joined.strftime("%Y-%m-%d"),
        date_joined_1="08:00:00",
        company=world.company.pk,
        is_active="on",
    )
    data.pop("date_joined", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors

    reset = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_passwords", "_selected_action": [world.technician.pk]},
        follow=True,
    )

    password = re.search(r"一次性密码：([a-z0-9-]+)", reset.content.decode()).group(1)
    person = User.objects.get(pk=world.technician.pk)
    assert person.check_password(password) and person.must_change_password
    verbs = [e.verb for e in events_for(person)]
    assert verbs == ["staff.role_changed", "staff.projects_changed", "staff.password_reset"]
