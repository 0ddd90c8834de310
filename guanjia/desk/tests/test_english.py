"""English is available from the top bar: the compiled catalogue loads and the desk's pages speak English."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PAGES = [
    "desk:home",
    "complaints:board",
    "complaints:register",
    "repairs:desk",
    "visits:mine",
    "frontdesk:home",
    "duty:today",
    "followup:home",
    "reports:monthly",
    "workdays:calendar",
    "policy:settings",
    "roster:import",
    "repairs:price_list",
]


def test_the_compiled_english_catalogue_loads():
    with translation.override("en"):
        assert translation.gettext("投诉") == "Complaint"
        assert translation.gettext("管理处经理") == "Office manager"


@pytest.mark.parametrize("name", PAGES)
def test_every_desk_page_renders_in_english_with_english_navigation(world, client, name):
    client.force_login(world.office_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    for words in ("Complaint board", "Register complaint", "Log out"):
        assert words in html
    # The page's own headings are English too: no heading is left in Chinese.
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)
    assert headings and not any(
        re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", h).replace(world.estate.name, "")) for h in headings
    )


def test_switching_language_back_and_forth(world, client):
    client.force_login(world.front_desk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log out" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出" in client.get("/").content.decode()
