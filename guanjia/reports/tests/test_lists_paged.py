"""S02 month-end lists, paged: the same entries, in the same order, with the same links as the definitions
they replaced (``old_lists``, kept here as the oracle), one page at a time; ``reports/monthly`` carries the
counts and first pages, ``reports/monthly/lists/{name}`` pages through them in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.reports.selectors import LIST_NAMES, month_end_lists, month_end_page

from . import old_lists
from .conftest import MONTH

URL = "/api/v1/reports/monthly"
OLD = {
    "repeat_complaints": old_lists.repeat_complaints,
    "repeat_repairs": old_lists.repeat_repairs,
    "unsatisfied_visits": old_lists.unsatisfied_visits,
}


def grow(gen, rounds: int) -> None:
    """More repeats than a page holds: each round adds complaints, repeated repairs and unsatisfied visits."""
    for _ in range(rounds):
        cases = [gen.complaint() for _ in range(15)] + [gen.repair() for _ in range(15)]
        for case in cases:
            gen.visit(case)
        gen.unsatisfied_pair()


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_s02_paged_lists_equal_the_old_definitions(generate, world, seed):
    gen, _data = generate(seed)
    grow(gen, 2)
    for projects in ([world.estate.pk], [world.estate.pk, world.other_estate.pk]):
        new = month_end_lists(projects=projects, month=MONTH)
        for name in LIST_NAMES:
            old = OLD[name](projects=projects, month=MONTH)
            assert new[name] == old, name
            assert old, f"{name}: the generated data should give entries"
            pages, page = [], 1
            while True:
                got = month_end_page(name, projects=projects, month=MONTH, page=page, page_size=3)
                assert got["count"] == len(old)
                pages += got["results"]
                if page >= got["pages"]:
                    break
                page += 1
            assert pages == old, name
            past = month_end_page(name, projects=projects, month=MONTH, page=page + 1, page_size=3)
            assert past["results"] == []


def test_s02_monthly_api_has_counts_and_the_first_page(generate, world, api_as, monkeypatch):
    from guanjia.reports.selectors import lists

    gen, _data = generate(7)
    grow(gen, 2)
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    client = api_as(world.supervisor)
    body = client.get(URL, {"project": world.estate.pk, "month": "2026-05"}).json()
    for name in LIST_NAMES:
        old = OLD[name](projects=[world.estate.pk], month=MONTH)
        info = body["lists"][name]
        assert info["count"] == len(old)
        assert body[name] == old[:2]
        assert info["pages"] == -(-len(old) // 2)
        # Following "next" walks the whole list.
        seen, url = list(body[name]), info["next"]
        while url:
            page = client.get(url).json()
            seen += page["results"]
            url = page["next"]
        assert seen == old


def test_s02_list_endpoint_refuses_bad_input_and_scopes(generate, world, api_as):
    generate(7)
    client = api_as(world.supervisor)
    lists_url = URL + "/lists/repeat_complaints"
    assert client.get(URL + "/lists/nothing", {"project": world.estate.pk}).status_code == 404
    for page in ("0", "-1", "x"):
        response = client.get(lists_url, {"project": world.estate.pk, "month": "2026-05", "page": page})
        assert response.status_code == 400 and "page" in response.json()
    assert client.get(lists_url, {"project": world.estate.pk, "month": "2026-13"}).status_code == 400
    outsider = api_as(world.outsider).get(lists_url, {"project": world.estate.pk, "month": "2026-05"})
    assert outsider.status_code in (400, 404) and "results" not in outsider.json()
    assert api_as(world.supervisor).get(lists_url, {"month": "2026-05"}).status_code == 403


def queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_s02_report_and_list_queries_do_not_grow_with_the_cases(generate, world, api_as):
    gen, _data = generate(7, complaints=10, repairs=10)
    gen.unsatisfied_pair()
    client = api_as(world.general_manager)
    params = {"month": "2026-05"}
    urls = [URL] + [f"{URL}/lists/{name}" for name in LIST_NAMES]
    for url in urls:
        queries(client, url, params)  # warm the content-type cache
    few = [queries(client, url, params) for url in urls]
    grow(gen, 3)
    many = [queries(client, url, params) for url in urls]
    assert many == few
    assert few[0] <= 21


def test_s02_report_page_pages_its_lists(generate, world, web_as, monkeypatch):
    from guanjia.reports.selectors import lists

    gen, _data = generate(7)
    grow(gen, 2)
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    client = web_as(world.supervisor)
    page = client.get("/reports/monthly/", {"project": world.estate.pk, "month": "2026-05"})
    assert page.status_code == 200
    old = OLD["repeat_complaints"](projects=[world.estate.pk], month=MONTH)
    assert page.context["lists"]["repeat_complaints"] == old[:2]
    info = page.context["list_pages"]["repeat_complaints"]
    assert info["count"] == len(old) and info["next_url"]
    second = client.get(info["next_url"])
    assert second.context["lists"]["repeat_complaints"] == old[2:4]
    assert second.context["list_pages"]["repeat_complaints"]["previous_url"]
