"""No internal code on any page of the desk: every page, for every role, in Chinese and in English, shows labels
only — no snake_case key (``custody_age``, ``front_desk``), no English choice value on a Chinese page
(``mishandled``), no Chinese on an English page except what users typed (names, addresses, descriptions).

The pages come from the URL conf, not from a hand list: every GET pattern that takes no argument, then one page of
every pattern with arguments that those pages link to (the demo's complaints, repairs, customers, shifts…), so a
new page is covered the day it is added. The demo (``guanjia.desk.demo``) is loaded once for the whole run.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.utils import translation

from guanjia.accounts.models import Role, User
from guanjia.desk import demo
from guanjia.dutylog.selectors import open_matters
from guanjia.estates.models import Project

pytestmark = pytest.mark.django_db

#: A Wednesday mid-morning, away from a shift change and a month end (as in test_load_demo).
DEMO_NOW = datetime(2026, 11, 18, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

#: Paths that are not pages of the desk: machine interfaces, Django's admin (its own catalogue), redirects.
SKIPPED_PREFIXES = ("/api/", "/admin/", "/i18n/", "/healthz", "/readyz", "/desk/", "/logout/", "/login/")

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
ASCII_WORD = re.compile(r"\b[a-z]{3,}\b")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
#: Chinese an English page shows on purpose: the logo mark, and the search box's example of a customer's name
#: (customers are searched by their Chinese names in English too).
CHINESE_ON_PURPOSE = frozenset({"管", "李明", "栋"})


class _VisibleText(HTMLParser):
    """The words a user reads: text outside script/style, and the attributes a browser shows. Text marked as
    Chinese on purpose (``lang="zh-Hans"``: the language switcher, a sample of the official notice to paste) is
    left out of an English page's check."""

    HIDDEN = frozenset({"script", "style", "template", "noscript", "title"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})
    SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str] = []
        self.chinese: list[str] = []  # the open elements marked lang="zh…"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
            return
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        marked = str(values.get("lang") or "").lower().startswith("zh")
        if marked and tag not in self.VOID:
            self.chinese.append(tag)
        if marked or self.chinese:
            return
        for name in self.SHOWN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        if self.chinese and self.chinese[-1] == tag:
            self.chinese.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.chinese and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> tuple[str, list[str]]:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts), parser.links


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _patterns(
                entry, prefix + str(entry.pattern), f"{namespace}:{ns}".strip(":") if ns else namespace
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def pages_without_arguments() -> list[str]:
    """Every named URL of the project that reverses without an argument."""
    paths = []
    for name, _pattern in _patterns(get_resolver()):
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        if not path.startswith(SKIPPED_PREFIXES) and path not in paths:
            paths.append(path)
    return paths


def _choice_values() -> frozenset[str]:
    """Every English value of a choice field: on a Chinese page it can only be a code shown as it is stored."""
    values: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z]{3,}", value):
                    values.add(value)
    return frozenset(values)


class _UserData:
    """Chinese that users typed or the demo made up (names, addresses, descriptions, reasons, official holiday
    notices…): every text column of the database. A run of Chinese on an English page is user data when the
    database holds it (whole, cut short or as part of a longer text) — unless it is exactly a label of the
    catalogue, which on an English page means a label left untranslated."""

    def __init__(self) -> None:
        texts: list[str] = []
        for model in apps.get_models():
            columns = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField, models.JSONField)) and not f.choices
            ]
            if columns:
                for row in model._default_manager.values_list(*columns):
                    texts.extend(str(v) for v in row if v)
        self.corpus = "\n".join(t for t in texts if CJK_RUN.search(t))
        self.runs = frozenset(CJK_RUN.findall(self.corpus))
        self.projects = sorted(Project.objects.values_list("name", flat=True), key=len, reverse=True)
        self.labels = _catalogue_msgids()
        self._known: dict[str, bool] = {}

    def holds(self, run: str) -> bool:
        if run in self.runs:  # a whole run of stored text (a name, a note that happens to read like a label)
            return True
        if run in self.labels:
            return False
        if run not in self._known:
            rest = run
            for name in self.projects:  # a phrase with the project's name filled in
                rest = rest.replace(name, "\n")
            self._known[run] = all(part in self.corpus for part in rest.split("\n") if part)
        return self._known[run]


def _catalogue_msgids() -> frozenset[str]:
    """The Chinese labels of the English catalogue (one-line msgids)."""
    msgids: set[str] = set()
    for folder in settings.LOCALE_PATHS:
        po = Path(folder) / "en" / "LC_MESSAGES" / "django.po"
        for line in po.read_text(encoding="utf-8").splitlines():
            if line.startswith('msgid "') and len(line) > 9:
                msgids.add(line[7:-1])
    return frozenset(msgids)


def _problems(text: str, language: str, enum_values: frozenset[str], user_data: _UserData) -> set[str]:
    found = {f"code {m}" for m in SNAKE.findall(text)}
    if language == "zh-hans":
        found |= {f"English value {w}" for w in ASCII_WORD.findall(text) if w in enum_values}
    else:
        found |= {
            f"Chinese {r}" for r in CJK_RUN.findall(text) if r not in CHINESE_ON_PURPOSE and not user_data.holds(r)
        }
    return found


#: Narrow roles first: a page several roles open is checked as the first of them sees it, so the pages only the
#: wider roles reach are left to them, and each page is rendered once per language (the run stays short).
ROLE_ORDER = (
    Role.TECHNICIAN,
    Role.CONTRACTOR,
    Role.SECURITY,
    Role.ENVIRONMENT,
    Role.BUTLER,
    Role.CUSTOMER_ASSISTANT,
    Role.FRONT_DESK,
    Role.ENGINEERING_SUPERVISOR,
    Role.CS_SUPERVISOR,
    Role.OFFICE_MANAGER,
    Role.GENERAL_MANAGER,
)


def _users() -> list[User]:
    """One demo user of every role (the first the demo lists), narrow roles first, then the administrator."""
    people: dict[str, User] = {}
    for spec in demo.STAFF:
        if spec.role not in people:
            people[spec.role] = User.objects.get(username=spec.username)
    assert set(people) == set(Role.values) == set(ROLE_ORDER), "the demo has a user of every role"
    return [*(people[role] for role in ROLE_ORDER), User.objects.get(username=demo.ADMIN_USERNAME)]


class _Crawl:
    """The pages of one language: each path rendered once, by the first user who may open it; every user's own
    first page (``/``, each role's "today") rendered for each."""

    def __init__(self, start: list[str]) -> None:
        self.start = start
        self.done: set[str] = set()  # paths rendered (200) or refused to everyone (405, 404)
        self.seen_patterns: set[str] = set()

    def pages(self, client: Client) -> Iterator[tuple[str, str | None]]:
        queue = deque(["/", *self.start])
        tried: set[str] = set()
        while queue:
            path = queue.popleft()
            if path in tried or (path in self.done and path != "/"):
                continue
            tried.add(path)
            response = client.get(path)
            if response.status_code in (404, 405):
                self.done.add(path)
                continue
            if response.status_code >= 500:
                self.done.add(path)
                yield path, None  # the page fails: reported as such
                continue
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            self.done.add(path)
            html = response.content.decode()
            yield path, html
            queue.extend(self._detail_pages(visible(html)[1]))

    def _detail_pages(self, links: list[str]) -> Iterator[str]:
        """One linked page of each URL pattern with arguments (a complaint, a repair, a shift…)."""
        for href in links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIPPED_PREFIXES) or parts.path in self.done:
                continue
            try:
                match = resolve(parts.path)
            except Resolver404:
                continue
            if (match.args or match.kwargs) and match.view_name not in self.seen_patterns:
                self.seen_patterns.add(match.view_name)
                yield parts.path


def test_no_page_shows_an_internal_code(time_machine):
    time_machine.move_to(DEMO_NOW, tick=False)
    call_command("load_demo", stdout=StringIO())
    # the duty log's pending matters carry over from shift to shift: none is listed twice
    for project in Project.objects.all():
        texts = [e.text for e in open_matters(project)]
        assert len(texts) == len(set(texts)), f"{project}: {texts}"
    enum_values = _choice_values()
    user_data = _UserData()
    start = pages_without_arguments()
    assert len(start) > 40, "the URL conf lists the desk's pages"

    problems: dict[str, set[str]] = {}
    rendered: set[str] = set()
    for language in ("zh-hans", "en"):
        crawl = _Crawl(start)
        for user in _users():
            client = Client(raise_request_exception=False)
            client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for path, html in crawl.pages(client):
                if html is None:
                    problems.setdefault("server error (500)", set()).add(f"{language} {user.role or 'admin'} {path}")
                    continue
                rendered.add(path)
                text, _links = visible(html)
                for problem in _problems(text, language, enum_values, user_data):
                    problems.setdefault(problem, set()).add(f"{language} {user.role or 'admin'} {path}")
    # every page of the desk was reached: lists, and the detail pages of the demo's objects they link to
    assert len(rendered) > 60 and any(resolve(p).kwargs for p in rendered)
    report = "\n".join(f"{p}: {sorted(where)[:3]}" for p, where in sorted(problems.items()))
    assert not problems, f"{len(problems)} internal code(s) shown:\n{report}"


def test_every_admin_section_heading_is_a_label_in_both_languages():
    """The admin's section headings are the apps' names: each is a label, with its English."""
    for config in apps.get_app_configs():
        if not config.name.startswith("guanjia.") or "testapp" in config.name or not list(config.get_models()):
            continue
        with translation.override("zh-hans"):
            chinese = str(config.verbose_name)
        with translation.override("en"):
            english = str(config.verbose_name)
        assert CJK_RUN.search(chinese), f"{config.name}: {chinese!r} is not a label"
        assert english != chinese and not CJK_RUN.search(english), f"{config.name}: {english!r} has no English"
