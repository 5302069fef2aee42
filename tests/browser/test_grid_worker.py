"""A grid worker on a phone, in real Chromium: their own grid and nothing of another
village's, the menu folded away, the area picker."""

import pytest

from tests.fixtures import SCREENSHOTS, build_town, log_in, phone_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_grid_worker_on_a_phone_sees_their_own_grid(live_server, browser):
    town = build_town()
    grid_worker = town.user("grid_worker")
    context = phone_context(browser)
    page = context.new_page()

    log_in(page, live_server.url, grid_worker.username)

    page.wait_for_selector("section.jurisdiction")
    jurisdiction = page.inner_text("section.jurisdiction")
    assert "东村一网格" in jurisdiction
    assert "西村" not in page.content()
    # The page fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The menu folds away on a phone and opens on a tap.
    assert not page.is_visible("nav.mainnav")
    page.click("label.nav-toggle-label")
    assert page.is_visible("nav.mainnav a[href='/people/']")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "grid-worker-home.png"), full_page=True)

    # Another village's grid does not exist for them.
    response = page.goto(f"{live_server.url}/areas/{town.grid_b1.pk}/")
    assert response.status == 404
    context.close()


def test_the_area_picker_finds_a_unit_by_name(live_server, browser):
    town = build_town()
    context = phone_context(browser)
    page = context.new_page()
    log_in(page, live_server.url, town.user("grid_worker").username)
    page.goto(f"{live_server.url}/people/new/")
    page.fill("#id_area_search", "1组")
    page.click(".picker-choice:has-text('东村1组')")
    assert page.input_value("#id_area") == str(town.unit_a1.pk)
    assert page.input_value("#id_area_search") == "东村1组"
    context.close()
