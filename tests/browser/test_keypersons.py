"""A grid worker's key persons on a phone, in real Chromium: the list overdue first, the
record, a visit recorded from it; nothing scrolls sideways at 360 px and what is tapped is
at least 44 px high."""

import datetime as dt

import pytest

from fengqiao.keypersons.models import KeyPerson
from tests.fixtures import PersonFactory, build_town, log_in, phone_context, put_on_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_grid_worker_records_a_visit_on_a_phone(live_server, browser):
    town = build_town()
    worker = town.user("grid_worker")
    record = put_on_register(worker, PersonFactory(name="甲", area=town.unit_a1), "released")
    put_on_register(worker, PersonFactory(name="乙", area=town.unit_a1), "drugs")
    KeyPerson.objects.filter(pk=record.pk).update(next_visit_due=dt.date(2020, 1, 1))
    context = phone_context(browser)
    page = context.new_page()
    log_in(page, live_server.url, worker.username)

    page.goto(f"{live_server.url}/keypersons/")
    cards = page.locator("ol.kp-cards li a.tap-link")
    assert cards.all_inner_texts() == ["甲", "乙"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert cards.first.bounding_box()["height"] >= 44

    cards.first.click()
    page.wait_for_selector("#visits")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("#visits summary")
    page.fill("#visits textarea[name=findings]", "在家，就业稳定，无异常")
    button = page.locator("#visits button[type=submit]")
    assert button.bounding_box()["height"] >= 44
    button.click()
    page.wait_for_selector(".messages, [role=status], .message", timeout=10000)

    record.refresh_from_db()
    assert record.visits.count() == 1 and record.last_visit_on is not None
    assert "在家，就业稳定" in page.content()
    context.close()
