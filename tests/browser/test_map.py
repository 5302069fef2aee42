"""The grid map in real Chromium, on a 360 px phone and at a desk: with no tile source set
(and no network beyond the site) the villages and grids are drawn on a plain background,
the cases and the day's entries as clustered markers; the layers toggle; no console
message and no Content-Security-Policy violation."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.core import clock
from tests.fixtures import (
    PHONE,
    SCREENSHOTS,
    chromium,
    desk_context,
    field_town,
    fits_the_phone,
    log_entry,
    log_in,
    map_the_town,
    new_case,
    phone_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def town_on_the_map(transactional_db):
    town = map_the_town(field_town())
    now = clock.now()
    new_case(town.user("grid_worker"), town.unit_a1, latitude="40.621000", longitude="109.710000")
    new_case(town.user("intake_clerk"), town.unit_a2, title="东村2组路灯不亮")
    new_case(town.user("intake_clerk"), town.unit_b1, title="西村1组占道经营")
    entry = log_entry(
        town.user("grid_worker"),
        town.unit_a1,
        at=now - dt.timedelta(minutes=5),
        latitude="40.630000",
        longitude="109.705000",
    )
    town.log_day = entry.occurred_on
    return town


def open_map(context, base: str, username: str, day: dt.date):
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"error: {error}"))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, base, username)
    response = page.goto(f"{base}/map/?day={day.isoformat()}")
    assert response.status == 200
    page.wait_for_selector(".fq-map[data-map-state=ready]")
    return page, messages, requests


@pytest.mark.parametrize("where", ["phone", "desk"])
def test_the_map_draws_the_areas_and_markers_with_no_tile_source(
    live_server, town_on_the_map, where
):
    with chromium() as browser:
        context = phone_context(browser) if where == "phone" else desk_context(browser)
        page, messages, requests = open_map(
            context, live_server.url, "t_leader", town_on_the_map.log_day
        )

        # the town, its two villages and three grids as polygons, on a plain background
        assert page.locator(".fq-map path.map-area").count() == 6
        assert page.locator(".fq-map path.map-level-3").count() == 3
        assert page.get_attribute(".fq-map", "data-map-areas") == "9"
        assert "fq-map-plain" in page.get_attribute(".fq-map", "class")
        assert page.locator(".leaflet-tile").count() == 0
        # the three open cases and today's entry, counted and drawn (as markers or clusters)
        assert page.get_attribute(".fq-map", "data-map-cases") == "3"
        assert page.get_attribute(".fq-map", "data-map-logs") == "1"
        drawn = page.locator(".fq-map .map-case, .fq-map .map-log, .fq-map .map-cluster")
        assert drawn.count() >= 1
        # nothing was asked of another site, nothing said, nothing refused
        assert all(url.startswith(live_server.url) for url in requests), requests
        assert messages == []
        assert page.evaluate("window.__violations") == []
        box = page.locator(".fq-map").bounding_box()
        assert box["height"] > 250
        if where == "phone":
            assert box["width"] <= PHONE["width"]
            assert fits_the_phone(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"map-{where}.png"), full_page=True)

        # the layers toggle: the areas off and on again
        page.locator("[data-map-layer=areas]").uncheck()
        assert page.locator(".fq-map path.map-area").count() == 0
        page.locator("[data-map-layer=areas]").check()
        assert page.locator(".fq-map path.map-area").count() == 6
        # and the map follows the window
        page.set_viewport_size({"width": 700, "height": 600})
        page.wait_for_timeout(300)
        assert page.locator(".fq-map").bounding_box()["width"] < 700
        assert messages == []
        context.close()


def test_a_grid_worker_s_map_is_their_grid(live_server, town_on_the_map):
    with chromium() as browser:
        context = phone_context(browser)
        page, messages, _requests = open_map(
            context, live_server.url, "t_grid_worker", town_on_the_map.log_day
        )

        assert page.locator(".fq-map path.map-area").count() == 1
        assert page.get_attribute(".fq-map", "data-map-areas") == "2"
        assert page.get_attribute(".fq-map", "data-map-cases") == "1"
        # a polygon opens its area's name in a popup
        page.locator(".fq-map path.map-area").first.click()
        page.wait_for_selector(".leaflet-popup-content .map-popup-title")
        assert page.inner_text(".leaflet-popup-content .map-popup-title") == "东村一网格"
        assert messages == [] and page.evaluate("window.__violations") == []
        context.close()
