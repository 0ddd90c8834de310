"""The desk's menu at a desk's screen (1440×900): the whole top bar fits in at most two rows, in Chinese and in
English (issue 15: the English menu wrapped to three rows)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1440, "height": 900}

#: The rows the menu takes: the vertical centres of its links and of the user's corner (name, language, password,
#: log out), grouped (items of one row share a centre ±8 px). The brand and the project switcher sit beside it.
ROWS_JS = """
() => {
  const items = [...document.querySelectorAll(
    '.nav-links > a, .nav-links > details > summary, .nav-links .notif-link, .nav-user > *'
  )].filter(el => el.offsetParent !== null);
  const centres = items.map(el => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; });
  const rows = [];
  for (const c of centres.sort((a, b) => a - b)) {
    if (!rows.length || c - rows[rows.length - 1] > 8) rows.push(c);
  }
  return rows.length;
}
"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_menu_fits_in_two_rows_at_a_desk(world, live_server, browser, language):
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "manager")  # the widest menu: every link and 管理
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#nav").is_visible()
    rows = page.evaluate(ROWS_JS)
    context.close()
    assert 1 <= rows <= 2, f"the top bar takes {rows} rows at 1440 px in {language}"
