"""Content-Security-Policy: every response carries the enforced policy, and no page the
named town's people can open carries inline script, inline style, a style attribute or an
on* handler (the policy would block them: the page would silently lose them)."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fengqiao.accounts.roles import Role
from tests.fixtures import NOW, World, admin_pages, build_world

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:", "blob:"},
    "connect-src": {"'self'"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Script types that are data, not code (json_script, Swagger UI's settings block).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy_of(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


# --------------------------------------------------------------------------- the checker
class InlineFinder(HTMLParser):
    """Collects what a strict policy refuses: inline scripts and styles, style attributes,
    event-handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on") or (
                name in {"href", "src", "action", "formaction"}
                and (value or "").strip().lower().startswith("javascript:")
            ):
                self.found.append(f'<{tag} {name}="{value}">')
        if tag == "script" and "src" not in named:
            kind = (named.get("type") or "text/javascript").lower()
            if kind not in DATA_SCRIPT_TYPES:
                self._script = (kind, [])

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            kind, text = self._script
            if "".join(text).strip():
                self.found.append(f'<script type="{kind}"> {"".join(text).strip()[:60]}')
            self._script = None


def inline_offences(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def test_the_checker_finds_what_the_policy_refuses():
    page = (
        '<div style="color:red"></div><a onclick="x()">a</a><style>p{}</style>'
        '<script>alert(1)</script><a href="javascript:void(0)">b</a>'
        '<script type="application/json" id="data">{"a": 1}</script>'
        '<script src="/static/web/fengqiao.js" defer></script><p data-on="1"></p>'
    )

    assert len(inline_offences(page)) == 5


# --------------------------------------------------------------------------- the town
# One of everything a page shows: `build_world` (tests/fixtures/world.py).

# Named pages answered only to a POST (a GET is 405), or only in a state the walk's data
# does not hold; every other page must open for somebody, or the walk has missed it.
NOT_OPENED_BY_GET = {
    "alert_flag",  # POST: the leader's flag from the case page
    "alert_action",
    "case_action",  # its forms are on the case page
    "emergency_acknowledge",
    # POST only: their forms are on the key person's page
    "keyperson_decide",
    "keyperson_level",
    "keyperson_remove",
    "keyperson_staff",
    "keyperson_task",
    "keyperson_visit",
    "followup_decide",
    "followup_record",  # its form is on the follow-up page
    "notification_preferences",  # its form is on the inbox
    "logout",
    "set_language",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_open",
    "supervision_close",
    "supervision_withdraw",
    "supervision_reply",
    "mediation_judicial_result",  # only while a confirmation is pending
    "mediation_sign",  # only once an agreement awaits signatures from the page's form
    "screening_close",
    "screening_nothing",  # its form is on the area's page
    "screening_findings",
    "screening_report",  # a redirect to the reader's own area in the round
    "log_to_case",  # its form is on the entry's page
}


def site_pages(world: World) -> list[tuple[str, str]]:
    """(name, address) of every named page of the site outside the admin and the API."""
    pages = []

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in {"admin", "api"}:
                    continue
                walk(pattern.url_patterns, namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                url = reverse(pattern.name, kwargs=world.kwargs.get(pattern.name, {}))
                if pattern.name in world.query:
                    url += "?" + world.query[pattern.name]
                pages.append((pattern.name, url))

    walk(get_resolver().url_patterns)
    return pages


OTHER_RESPONSES = [
    "/no-such-page/",
    "/static/web/fengqiao.css",
    "/static/web/fengqiao.js",
    "/api/v1/docs",
    "/api/v1/openapi.json",
    "/api/v1/cases",
    "/api/v1/no-such-endpoint",
    "/accounts/login/",
]


@pytest.fixture
def world(town, monkeypatch):
    from fengqiao.core import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    return build_world(town)


def fetch(client: Client, url: str) -> Any:
    return client.get(url, follow=False)


# --------------------------------------------------------------------------- the tests
def test_every_response_carries_the_enforced_policy(world):
    # given every named page for a signed-in leader, a grid worker and a visitor, the error
    # pages, the static files and the API
    client = Client(raise_request_exception=False)
    addresses = [url for _name, url in site_pages(world)] + OTHER_RESPONSES
    missing = []
    for user in [world.users[0], None]:
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for url in addresses:
            response = fetch(client, url)
            header = response.get("Content-Security-Policy")
            if header is None or policy_of(header) != POLICY:
                missing.append((url, response.status_code, header))
            assert "Content-Security-Policy-Report-Only" not in response

    assert missing == []


def test_no_page_anyone_can_open_carries_inline_script_or_style(world, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    pages = site_pages(world)
    offences: dict[str, list[str]] = defaultdict(list)
    opened: set[str] = set()
    html_pages = 0

    for user in world.users:
        client.force_login(user)
        visits = [(name, url) for name, url in pages]
        if user.roles & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
            visits += [("admin", url) for url in admin_pages()]
        visits += [("other", url) for url in OTHER_RESPONSES]
        for name, url in visits:
            response = fetch(client, url)
            if response.status_code == 200:
                opened.add(name)
            if response.get("Content-Type", "").startswith("text/html"):
                html_pages += 1
                for offence in inline_offences(response.content.decode()):
                    offences[f"{url} ({user.username}, {response.status_code})"].append(offence)
    client.logout()
    for name, url in [("login", reverse("login")), ("other", "/no-such-page/")]:
        response = fetch(client, url)
        if response.status_code == 200:
            opened.add(name)
        for offence in inline_offences(response.content.decode()):
            offences[f"{url} (visitor)"].append(offence)

    assert dict(offences) == {}
    # the walk saw the site: every page opened for somebody (or is known not to open on GET)
    never_opened = {name for name, _url in pages} - opened
    assert never_opened <= NOT_OPENED_BY_GET, sorted(never_opened - NOT_OPENED_BY_GET)
    assert "admin" in opened and html_pages > 300
