"""Content-Security-Policy: every page the desk serves allows only this site's own assets."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from guanjia.accounts.models import User

pytestmark = pytest.mark.django_db

#: Sources a directive may name: this site, nothing, or the data:/blob: URLs of signature pads and previews.
LOCAL_SOURCES = {"'self'", "'none'", "data:", "blob:"}
HREF = re.compile(r'href="([^"]+)"')
#: Never followed by the crawl: leaving, the files themselves, and the admin (checked on its own below).
SKIP = ("/logout/", "/static/", "/media/", "/admin/", "/i18n/")


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_local_only(response, allowed_extra: frozenset[str] = frozenset()) -> None:
    directives = policy(response)
    for name, sources in directives.items():
        foreign = [s for s in sources if s not in LOCAL_SOURCES | allowed_extra and not s.startswith("'nonce-")]
        assert not foreign, f"{response.request['PATH_INFO']}: {name} allows {foreign}"
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] or all(
        s == "'self'" or s.startswith("'nonce-") for s in directives["script-src"]
    )
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def crawl(client, start: str, limit: int = 150) -> list[str]:
    """Every same-site page reachable from ``start`` by GET links (up to ``limit``); asserts each one's policy."""
    seen: set[str] = set()
    queue = deque([start])
    pages: list[str] = []
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        assert_local_only(response)
        pages.append(url)
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith(SKIP):
                continue
            queue.append(href)
    return pages


def test_every_page_of_the_desk_allows_only_local_assets(world, web_as):
    pages = crawl(web_as(world.office_manager), "/")

    assert len(pages) > 20  # the crawl really walked the desk: board, ledgers, reports, settings…


def test_the_login_page_and_the_lockout_page_allow_only_local_assets(world, client):
    assert_local_only(client.get("/login/"))
    for attempt in range(10):
        client.post("/login/", {"username": "frontdesk", "password": f"wrong-{attempt}"})
    locked = client.post("/login/", {"username": "frontdesk", "password": "pass-for-tests-1"})
    assert locked.status_code == 429
    assert_local_only(locked)


def test_the_admin_allows_only_local_assets(world, client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pass-for-tests-1", name="管理员"))
    for url in ("/admin/", "/admin/axes/accessattempt/", "/admin/axes/accesslog/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_local_only(response)


def test_the_api_docs_keep_scripts_local_and_relax_only_styles(world, web_as):
    client = web_as(world.office_manager)
    page = client.get("/api/docs/")

    assert page.status_code == 200
    assert_local_only(page, allowed_extra=frozenset({"'unsafe-inline'"}))
    assert policy(page)["script-src"] == ["'self'"]
    assert "<script>" not in page.content.decode()  # the start-up script is a file of its own
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_an_inline_script_or_event_handler():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for template in [*root.glob("templates/**/*.html"), *root.glob("guanjia/*/templates/**/*.html")]:
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", text) or re.search(
            r"\son[a-z]+\s*=", text
        ):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []
