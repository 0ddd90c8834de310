"""S01, S05 in a browser: the monthly report reads on a phone with its charts drawn, and prints to an A4 PDF
that carries the charts."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from guanjia.testing.browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/reports/monthly/?project={pk}&month=2026-05"


def login(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login/?next={quote(next_url)}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/monthly/"))


CHARTS_DRAWN = """() => [...document.querySelectorAll('canvas')].map((c) => {
  const chart = window.Chart && Chart.getChart(c);
  return Boolean(chart) && c.width > 0 && c.height > 0;
})"""


def test_s01_s05_monthly_report_on_a_phone_and_as_an_a4_pdf(generate, world, live_server, browser, tmp_path):
    generate(7)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    url = URL.format(pk=world.estate.pk)
    login(page, live_server.url, "supervisor", url)
    page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas').length === 4")
    assert page.evaluate(CHARTS_DRAWN) == [True, True, True, True]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.locator(".kpi").count() == 8
    assert "2026年5月" in page.locator(".report-meta").inner_text()
    assert page.locator("#list-repeat-repairs a").count() >= 3
    page.screenshot(path=str(tmp_path / "report-phone.png"), full_page=True)

    page.emulate_media(media="print")
    assert page.locator("#rp-analysis").is_hidden()  # the form does not print; the analysis text does
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 5  # figures and charts first, the month-end lists from a new page
    assert b"/Image" in pdf or b"/XObject" in pdf  # the charts (canvas) are in the PDF
    (tmp_path / "report.pdf").write_bytes(pdf)
    page.set_viewport_size({"width": 720, "height": 1000})
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.screenshot(path=str(tmp_path / "report-print.png"), full_page=True)
    context.close()
