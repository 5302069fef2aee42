"""The main pages in real Chromium under the enforced Content-Security-Policy: no console
message and no policy violation, htmx and the site's script still at work, and the
supervision level's admin-chosen colour still applied."""

from __future__ import annotations

import pytest

from tests.fixtures import admin_pages, chromium, desk_context, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects violations from the first moment of every document (an init script is put in by
# the browser itself, not by the page, so the policy does not apply to it).
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " +
    (event.sample || "") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


def rgb(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def watched_page(context):
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"error: {error}"))
    return page, messages


def test_the_main_pages_run_under_the_policy_without_a_console_message(live_server, world):
    base = live_server.url
    mediated, order, gas = world.objects["mediated"], world.objects["order"], world.objects["gas"]
    pages = [
        "/",
        "/cases/",
        f"/cases/{mediated.pk}/",
        f"/cases/{gas.pk}/",
        "/cases/new/",
        "/supervision/",
        f"/supervision/{order.pk}/",
        "/alerts/",
        "/followups/",
        "/reports/disputes/",
        "/notifications/",
        "/emergency/",
    ]
    with chromium() as browser:
        context = desk_context(browser)
        context.add_init_script(WATCH_VIOLATIONS)
        page, messages = watched_page(context)
        log_in(page, base, "t_leader")
        problems = {}
        for path in pages:
            response = page.goto(f"{base}{path}")
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__violations")
            if messages or violations:
                problems[path] = [*messages, *violations]
            messages.clear()

            if path == "/cases/new/":
                # htmx still works (the deadline preview follows the kind)
                with page.expect_response("**/cases/new/deadline/**"):
                    page.select_option("#id_kind", "consultation")
                # and htmx added no style element of its own
                assert page.evaluate("document.querySelectorAll('style').length") == 0
            if path.startswith("/supervision/"):
                # the level's colour, chosen in the admin, still reaches the page
                colour = rgb(order.level.colour)
                card = page.locator(".order-card").first
                assert card.evaluate("el => getComputedStyle(el).borderLeftColor") == colour
                tag = page.locator(".tag.level").first
                assert tag.evaluate("el => getComputedStyle(el).backgroundColor") == colour
        # the language menu switches without an inline handler
        page.goto(f"{base}/")
        with page.expect_navigation():
            page.select_option("#lang-select", "en")
        assert page.locator("html").get_attribute("lang") == "en"
        problems.update({"language switch": messages} if messages else {})
        context.close()

    assert problems == {}


def test_the_api_docs_page_runs_under_the_policy(live_server, world):
    with chromium() as browser:
        context = desk_context(browser)
        context.add_init_script(WATCH_VIOLATIONS)
        page, messages = watched_page(context)

        response = page.goto(f"{live_server.url}/api/v1/docs")

        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector("#swagger-ui .info .title")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == []
        assert messages == []
        context.close()


def test_the_admin_runs_under_the_policy(live_server, world):

    with chromium() as browser:
        context = desk_context(browser)
        context.add_init_script(WATCH_VIOLATIONS)
        page, messages = watched_page(context)
        problems, opened = {}, set()
        for username in ["t_system_admin", "t_security_admin", "t_audit_admin"]:
            log_in(page, live_server.url, username)
            for path in admin_pages():
                response = page.goto(f"{live_server.url}{path}")
                if response.status != 200:
                    messages.clear()  # a model this administrator does not manage
                    continue
                opened.add(path)
                if path == "/admin/workcal/calendarday/add/":
                    # the admin's date widget builds its calendar in the page
                    page.click(".datetimeshortcuts a:has(.date-icon)")
                    page.wait_for_selector(".calendarbox", state="visible")
                violations = page.evaluate("window.__violations")
                if messages or violations:
                    problems[f"{path} ({username})"] = [*messages, *violations]
                messages.clear()
            page.context.clear_cookies()
        context.close()

    assert problems == {}
    assert {"/admin/", "/admin/workcal/calendarday/add/", "/admin/accounts/user/"} <= opened
