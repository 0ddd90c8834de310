"""人员管理 on a tablet (O02): the office manager adds a technician and reads out the one-time password; the
technician logs in with it, is made to choose their own password, and reaches their orders."""

from __future__ import annotations

from typing import Any

import pytest

from guanjia.testing.browser import TABLET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, username: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_o02_office_manager_adds_a_technician_on_a_tablet_and_sees_the_one_time_password(world, live_server, tablet):
    from guanjia.accounts.models import User

    base = live_server.url
    page = tablet()
    log_in(page, base, "manager", "pass-for-tests-1", "/staff/")
    page.wait_for_url(f"{base}/staff/")
    assert page.locator("#staff-table").inner_text().count("刘师傅") == 1

    page.click("#staff-add")
    page.wait_for_url(f"{base}/staff/new/")
    page.fill("#id_name", "马师傅")
    page.fill("#id_username", "mashifu")
    page.fill("#id_phone", "13800001234")
    page.select_option("#id_role", "technician")
    assert page.locator("#id_role option[value=general_manager]").count() == 0  # nothing above their own
    page.get_by_label("滨江花园").check()
    page.get_by_role("button", name="保存并生成一次性密码").click()

    password = page.locator("#otp-password").inner_text().strip()
    assert len(password) == 14 and page.locator("#otp-username").inner_text() == "mashifu"
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert User.objects.get(username="mashifu").must_change_password

    # The technician, on another tablet: the one-time password opens only 修改密码.
    other = tablet()
    log_in(other, base, "mashifu", password, "/repairs/mine/")
    other.wait_for_url(f"{base}/password/?next=%2Frepairs%2Fmine%2F")
    other.fill("#id_old_password", password)
    other.fill("#id_new_password1", "Quiet-Lantern-88")
    other.fill("#id_new_password2", "Quiet-Lantern-88")
    other.get_by_role("button", name="保存新密码").click()
    other.wait_for_url(f"{base}/repairs/mine/")
    assert other.locator("#password-change-form").count() == 0
    assert not User.objects.get(username="mashifu").must_change_password
