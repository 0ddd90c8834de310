"""The desk's shell: login, the project switcher, the navigation, and every page in both languages."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from guanjia.accounts.models import Role
from guanjia.desk.middleware import SESSION_KEY
from guanjia.testing.factories import make_project, make_staff

pytestmark = pytest.mark.django_db


def test_login_page_renders_and_logs_in(world, client):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "登录" in page.content.decode()
    response = client.post(reverse("login"), {"username": "frontdesk", "password": "pass-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == reverse("desk:home")
    home = client.get(reverse("desk:home"))
    assert "陈前台" in home.content.decode() and "查找客户" in home.content.decode()


def test_login_refuses_a_wrong_password_with_a_message(world, client):
    response = client.post(reverse("login"), {"username": "frontdesk", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_pages_need_login(world, client):
    for url in (reverse("desk:home"), reverse("estates:unit_list"), reverse("estates:customer_list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_o04_switcher_keeps_the_chosen_project_in_the_session(world, web_as):
    client = web_as(world.general_manager)
    response = client.post(
        reverse("desk:switch_project"), {"project": world.other_estate.pk, "next": "/estates/units/"}
    )
    assert response.status_code == 302 and response["Location"] == "/estates/units/"
    assert client.session[SESSION_KEY] == world.other_estate.pk
    html = client.get(reverse("estates:unit_list")).content.decode()
    assert "1栋1单元101" in html and "3栋2单元1201" not in html


def test_o04_switcher_refuses_a_project_the_user_may_not_see(world, web_as):
    client = web_as(world.front_desk)
    client.get(reverse("desk:home"))
    response = client.post(reverse("desk:switch_project"), {"project": world.other_estate.pk})
    assert response.status_code == 404
    assert client.session[SESSION_KEY] == world.estate.pk


def test_o04_a_forged_session_project_falls_back_to_a_visible_one(world, web_as):
    client = web_as(world.front_desk)
    session = client.session
    session[SESSION_KEY] = world.other_estate.pk
    session.save()
    html = client.get(reverse("estates:unit_list")).content.decode()
    assert "3栋2单元1201" in html and "1栋1单元101" not in html


def test_switcher_refuses_an_offsite_next(world, web_as):
    response = web_as(world.general_manager).post(
        reverse("desk:switch_project"), {"project": world.estate.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_user_without_projects_sees_a_hint_not_an_error(db, web_as):
    from guanjia.testing.factories import make_staff

    lonely = make_staff("front_desk")
    html = web_as(lonely).get(reverse("desk:home")).content.decode()
    assert "还没有被分配到任何项目" in html
    assert web_as(lonely).get(reverse("estates:unit_list")).status_code == 200
    assert web_as(lonely).get(reverse("estates:customer_list"), {"q": "李"}).status_code == 200


def test_nav_shows_master_data_links_only_to_managers(world, web_as, settings):
    # Those pages are built elsewhere; the navigation must neither crash nor show a dead link meanwhile.
    manager_html = web_as(world.office_manager).get(reverse("desk:home")).content.decode()
    desk_html = web_as(world.front_desk).get(reverse("desk:home")).content.decode()
    for label, name in (
        ("导入房屋与客户", "roster:import"),
        ("工作日历", "workdays:calendar"),
        ("服务标准参数", "policy:settings"),
    ):
        assert label not in desk_html
        if _url_exists(name):
            assert label in manager_html


def _url_exists(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_url_if_exists_tag():
    template = Template('{% load desk_tags %}[{% url_if_exists "desk:home" %}][{% url_if_exists "nope:missing" %}]')
    assert template.render(Context({})) == f"[{reverse('desk:home')}][]"


PAGES = [
    ("desk:home", None, {}),
    ("desk:home", None, {"q": "lm"}),
    ("estates:customer_list", None, {}),
    ("estates:customer_list", None, {"q": "3-2-1201"}),
    ("estates:customer_search", None, {"q": "李"}),
    ("estates:customer_detail", "customer", {}),
    ("estates:unit_list", None, {}),
    ("estates:unit_detail", "unit", {}),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("name, arg, params", PAGES)
def test_every_page_renders_in_both_languages(world, web_as, settings, language, name, arg, params):
    client = web_as(world.office_manager)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    args = [getattr(world, arg).pk] if arg else []
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    if "<html" in response.content.decode():
        assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_login_page_renders_in_both_languages(db, client, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("login"))
    assert response.status_code == 200 and f'lang="{language}"' in response.content.decode()


def test_home_counts_are_of_the_current_project(world, web_as):
    """A role without a "today" of its own (security at the gate) sees the project's figures under the search."""
    make_project(world.company)
    guard = make_staff(Role.SECURITY, projects=(world.estate,), username="guard")
    html = web_as(guard).get(reverse("desk:home")).content.decode()
    assert 'class="stat-value">1<' in html
