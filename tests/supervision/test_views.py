"""The supervision pages: the case page's orders, raising, replying from one's own list,
closing, the list with its figures, the menu."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.supervision.models import OrderState, SupervisionOrder
from tests.fixtures import raise_order

pytestmark = pytest.mark.usefixtures("jobs_immediate")


# --------------------------------------------------------------------------- pages
def test_the_case_page_lists_orders_and_offers_a_leader_the_raise_button(town, case):
    order = raise_order(town, case)
    client = Client()
    client.force_login(town.user("leader"))

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert order.number in page
    assert f"/supervision/raise/{case.pk}/" in page
    client.force_login(town.user("grid_worker"))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert order.number in page and f"/supervision/raise/{case.pk}/" not in page


def test_a_leader_raises_through_the_form(town, case):
    client = Client()
    client.force_login(town.user("leader"))
    assert client.get(f"/supervision/raise/{case.pk}/").status_code == 200

    empty = client.post(f"/supervision/raise/{case.pk}/", {"level": "general", "instruction": ""})
    response = client.post(
        f"/supervision/raise/{case.pk}/",
        {"level": "key", "instruction": "限期回复", "target": f"agency:{town.court.pk}"},
    )

    assert empty.status_code == 400
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/{order.pk}/"
    assert (order.level.code, order.target_agency) == ("key", town.court)


def test_the_raise_form_is_refused_to_other_roles(town, case):
    client = Client()
    client.force_login(town.user("dispatcher"))

    assert client.get(f"/supervision/raise/{case.pk}/").status_code == 403


def test_the_target_replies_from_the_mine_page_and_the_leader_closes(town, case):
    order = raise_order(town, case)
    client = Client()
    client.force_login(town.user("mediator"))

    mine = client.get("/supervision/mine/").content.decode()
    replied = client.post(f"/supervision/{order.pk}/reply/", {"text": "已调处完毕"})
    client.force_login(town.user("leader"))
    closed = client.post(f"/supervision/{order.pk}/close/", {"review": "同意"})
    blank = client.post(f"/supervision/{order.pk}/withdraw/", {"reason": ""})

    assert order.number in mine
    assert replied.status_code == 302 and closed.status_code == 302
    assert blank.status_code == 400
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED


def test_the_list_page_filters_and_shows_the_figures(town, case):
    general = raise_order(town, case)
    key = raise_order(town, case, level="key", target_agency=town.court.pk)
    client = Client()
    client.force_login(town.user("leader"))

    everything = client.get("/supervision/").content.decode()
    by_level = client.get("/supervision/", {"level": "key"}).content.decode()
    by_target = client.get("/supervision/", {"target": f"agency:{town.court.pk}"}).content.decode()

    assert general.number in everything and key.number in everything
    assert "figures-table" in everything and "枫桥人民法庭" in everything
    assert key.number in by_level and general.number not in by_level
    assert key.number in by_target and general.number not in by_target


def test_the_menu_shows_supervision_to_leaders_and_targets_only(town, case, grid_worker_b):
    raise_order(town, case)

    def menu(user: Any) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/").content.decode()

    assert 'href="/supervision/"' in menu(town.user("leader"))
    assert 'href="/supervision/"' in menu(town.user("mediator"))
    assert 'href="/supervision/"' not in menu(grid_worker_b)
