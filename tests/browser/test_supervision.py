"""A supervision order answered on a phone, in real Chromium."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import State
from fengqiao.supervision import services
from fengqiao.supervision.models import OrderState
from tests.fixtures import (
    SCREENSHOTS,
    build_town,
    case_in_state,
    chromium,
    fits_the_phone,
    log_in,
    phone_context,
    raise_order,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("jobs_immediate"),
]


def test_the_mediator_replies_on_a_phone(live_server):

    services.supervision_levels_install()
    town = build_town()
    order = raise_order(town, case_in_state(town, State.IN_PROGRESS), now=None)
    with chromium() as browser:
        phone = phone_context(browser)
        page = phone.new_page()
        log_in(page, live_server.url, town.user("mediator").username)

        page.goto(f"{live_server.url}/supervision/mine/")
        assert fits_the_phone(page)
        page.click(f"a[href='/supervision/{order.pk}/']")
        assert fits_the_phone(page)
        page.screenshot(path=str(SCREENSHOTS / "supervision-order-phone.png"), full_page=True)
        page.click("details.action summary")
        page.fill("textarea[name=text]", "已组织双方现场调解，达成初步意见")
        page.click("form[action$='/reply/'] button.primary")
        page.wait_for_selector(".messages")
        assert fits_the_phone(page)
        phone.close()

    order.refresh_from_db()
    assert order.state == OrderState.REPLIED
    assert order.replied_by == town.user("mediator")
