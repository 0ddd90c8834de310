"""O04 through the API: project staff see their project only, the general manager sees every project of the
company, and the outsider (front desk of 翠湖苑) sees nothing of 滨江花园 anywhere."""

import json
import re

import pytest
from django.urls import reverse

from guanjia.api.router import router
from guanjia.testing.personas import PERSONAS

PROJECT_STAFF = [p for p in PERSONAS if p != "general_manager"]


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("persona", PROJECT_STAFF)
def test_o04_project_staff_list_only_their_project(world, api_as, persona):
    api = api_as(world.persona(persona))

    assert [p["id"] for p in results(api.get("/api/v1/projects/"))] == [world.estate.pk]
    assert [u["id"] for u in results(api.get("/api/v1/units/"))] == [world.unit.pk]
    assert [c["id"] for c in results(api.get("/api/v1/customers/"))] == [world.customer.pk]
    staff = {s["id"] for s in results(api.get("/api/v1/staff/"))}
    assert world.outsider.pk not in staff
    assert {world.front_desk.pk, world.butler.pk, world.general_manager.pk} <= staff


@pytest.mark.parametrize("persona", PROJECT_STAFF)
def test_o04_project_staff_open_their_objects_and_get_404_for_the_other_project(world, api_as, persona):
    api = api_as(world.persona(persona))

    assert api.get(f"/api/v1/projects/{world.estate.pk}/").status_code == 200
    assert api.get(f"/api/v1/units/{world.unit.pk}/").status_code == 200
    assert api.get(f"/api/v1/customers/{world.customer.pk}/").status_code == 200
    assert api.get(f"/api/v1/staff/{world.butler.pk}/").status_code == 200
    assert api.get(f"/api/v1/projects/{world.other_estate.pk}/").status_code == 404
    assert api.get(f"/api/v1/units/{world.other_unit.pk}/").status_code == 404
    assert api.get(f"/api/v1/customers/{world.other_customer.pk}/").status_code == 404
    assert api.get(f"/api/v1/staff/{world.outsider.pk}/").status_code == 404


def test_o04_general_manager_sees_both_projects(world, api_as):
    api = api_as(world.general_manager)

    assert {p["id"] for p in results(api.get("/api/v1/projects/"))} == {world.estate.pk, world.other_estate.pk}
    assert {u["id"] for u in results(api.get("/api/v1/units/"))} == {world.unit.pk, world.other_unit.pk}
    assert {c["id"] for c in results(api.get("/api/v1/customers/"))} == {world.customer.pk, world.other_customer.pk}
    assert {world.outsider.pk, world.front_desk.pk} <= {s["id"] for s in results(api.get("/api/v1/staff/"))}
    for url in (
        f"/api/v1/projects/{world.other_estate.pk}/",
        f"/api/v1/units/{world.other_unit.pk}/",
        f"/api/v1/customers/{world.other_customer.pk}/",
        f"/api/v1/staff/{world.outsider.pk}/",
    ):
        assert api.get(url).status_code == 200, url


def test_o04_staff_of_another_company_see_nothing_of_this_company(world, api_as):
    from guanjia.accounts.models import Role
    from guanjia.testing.factories import make_project, make_staff

    stranger = make_staff(Role.GENERAL_MANAGER, projects=(make_project(),))
    api = api_as(stranger)

    assert world.estate.pk not in {p["id"] for p in results(api.get("/api/v1/projects/"))}
    assert results(api.get("/api/v1/units/")) == []
    assert {s["id"] for s in results(api.get("/api/v1/staff/"))} == {stranger.pk}


# --- the outsider walks every endpoint -------------------------------------------------------------


def estate_markers(world):
    """Strings that would betray anything of 滨江花园 in a response."""
    return [
        world.estate.name,
        world.estate.code,
        world.customer.name,
        world.unit.number,
        world.front_desk.name,
        world.butler.name,
        world.technician.name,
        world.supervisor.name,
        world.office_manager.name,
        "5678",  # the last digits of 李明's phone survive masking
    ]


#: Values for the path arguments of collection actions.
EXAMPLE_PATH_ARGS = {"name": "repeat_complaints"}


def list_urls():
    """Every collection GET of the API: each viewset's list, and its extra ``detail=False`` GET actions
    (``reports/monthly``, ``incidents/suggestions`` …)."""
    import guanjia.api.urls  # noqa: F401  (fills the router: each app's api.py registers when imported)

    urls = []
    for _prefix, viewset, basename in router.registry:
        if hasattr(viewset, "list"):
            urls.append(reverse(f"{basename}-list"))
        for action in viewset.get_extra_actions():
            if not action.detail and "get" in action.mapping:
                # A collection action with a path argument (reports/monthly/lists/{name}) gets a real value.
                kwargs = {k: EXAMPLE_PATH_ARGS[k] for k in re.findall(r"\(\?P<(\w+)>", action.url_path)}
                urls.append(reverse(f"{basename}-{action.url_name}", kwargs=kwargs))
    return urls


@pytest.mark.parametrize("url", list_urls())
def test_o04_outsider_sees_nothing_of_the_other_estate_in_any_list(world, api_as, url):
    response = api_as(world.outsider).get(url)

    assert response.status_code < 500
    text = json.dumps(response.json(), ensure_ascii=False)
    for marker in estate_markers(world):
        assert marker not in text, (url, marker)


def detail_requests(world):
    """Every object URL of the estate endpoints, with every method they answer."""
    return [
        ("get", f"/api/v1/projects/{world.estate.pk}/", None),
        ("get", f"/api/v1/units/{world.unit.pk}/", None),
        ("patch", f"/api/v1/units/{world.unit.pk}/", {"status": "vacant", "version": 1}),
        ("get", f"/api/v1/customers/{world.customer.pk}/", None),
        ("patch", f"/api/v1/customers/{world.customer.pk}/", {"name": "改名", "version": 1}),
        ("post", f"/api/v1/customers/{world.customer.pk}/reveal-phone/", None),
        ("get", f"/api/v1/staff/{world.front_desk.pk}/", None),
        ("get", f"/api/v1/staff/{world.butler.pk}/", None),
    ]


def test_o04_outsider_gets_404_on_every_object_of_the_other_estate(world, api_as):
    api = api_as(world.outsider)
    before = (world.unit.status, world.customer.name)

    for method, url, body in detail_requests(world):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json() == {"detail": response.json()["detail"]}
        text = json.dumps(response.json(), ensure_ascii=False)
        assert not any(m in text for m in estate_markers(world)), (method, url)

    world.unit.refresh_from_db()
    world.customer.refresh_from_db()
    assert (world.unit.status, world.customer.name) == before


def test_o04_outsider_cannot_filter_by_the_other_project(world, api_as):
    api = api_as(world.outsider)

    for url in ("/api/v1/units/", "/api/v1/customers/", "/api/v1/staff/"):
        response = api.get(url, {"project": world.estate.pk})
        assert response.status_code == 400
        assert "project" in response.json()
    assert results(api.get("/api/v1/customers/", {"unit": world.unit.pk})) == []
    assert results(api.get("/api/v1/units/", {"building": world.building.pk})) == []
    assert results(api.get("/api/v1/customers/", {"q": "李明"})) == []


def test_o04_outsider_cannot_create_a_customer_in_the_other_project(world, api_as):
    api = api_as(world.outsider)

    response = api.post(
        "/api/v1/customers/", {"project": world.estate.pk, "name": "钱七", "phones": ["13600000000"]}, format="json"
    )
    assert response.status_code == 400
    assert "project" in response.json()

    # Nor tie a customer of their own project to a unit of the other one.
    response = api.post(
        "/api/v1/customers/",
        {"project": world.other_estate.pk, "name": "钱七", "units": [world.unit.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "units" in response.json()
    assert not world.estate.customers.filter(name="钱七").exists()
