"""/api/v1/supervision: raising once per Idempotency-Key, listing, replying, closing,
withdrawing, the figures; other roles and bad input refused."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import State
from fengqiao.supervision.models import SupervisionOrder
from tests.fixtures import Api, case_in_state, raise_order

pytestmark = pytest.mark.usefixtures("jobs_immediate")


# --------------------------------------------------------------------------- API
def test_the_api_raises_idempotently_and_lists(town, case):
    leader = Api(town.user("leader"))
    body = {"case_id": case.pk, "instruction": "限期办结", "level": "key"}

    first = leader.post("/supervision/orders", body, HTTP_IDEMPOTENCY_KEY="raise-1")
    again = leader.post("/supervision/orders", body, HTTP_IDEMPOTENCY_KEY="raise-1")
    listed = leader.get("/supervision/orders", {"level": "key"})

    assert first.status_code == 201, first.json()
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert SupervisionOrder.objects.count() == 1
    order = first.json()
    assert order["level"]["code"] == "key" and order["target"]["kind"] == "team"
    assert listed.json()["count"] == 1 and listed.json()["results"][0]["id"] == order["id"]


def test_the_api_reply_close_withdraw_and_figures(town, case):
    order = raise_order(town, case)
    other = raise_order(town, case)
    mediator, leader = Api(town.user("mediator")), Api(town.user("leader"))

    mine = mediator.get("/supervision/orders", {"mine": "true"})
    replied = mediator.post(f"/supervision/orders/{order.pk}/reply", {"text": "已调处"})
    closed = leader.post(f"/supervision/orders/{order.pk}/close", {"review": "同意"})
    no_reason = leader.post(f"/supervision/orders/{other.pk}/withdraw", {"reason": ""})
    withdrawn = leader.post(f"/supervision/orders/{other.pk}/withdraw", {"reason": "重复督办"})
    figures = leader.get("/supervision/figures")
    detail = leader.get(f"/supervision/orders/{order.pk}")

    assert mine.json()["count"] == 2
    assert replied.status_code == 200 and replied.json()["state"] == "replied"
    assert closed.json()["state"] == "closed"
    assert no_reason.status_code == 400
    assert no_reason.json() == {
        "code": "reason",
        "message": no_reason.json()["message"],
        "field": "reason",
        "errors": [{"code": "reason", "message": no_reason.json()["message"], "field": "reason"}],
    }
    assert withdrawn.json()["state"] == "withdrawn"
    assert figures.json()[0]["received"] == 1 and figures.json()[0]["replied"] == 1
    assert detail.json()["review_text"] == "同意"


def test_the_api_refuses_other_roles_and_bad_input(town, case):
    dispatcher, leader = Api(town.user("dispatcher")), Api(town.user("leader"))
    closed_case = case_in_state(town, State.REJECTED)

    forbidden = dispatcher.post("/supervision/orders", {"case_id": case.pk, "instruction": "x"})
    on_closed = leader.post("/supervision/orders", {"case_id": closed_case.pk, "instruction": "x"})
    unknown_level = leader.post(
        "/supervision/orders", {"case_id": case.pk, "instruction": "x", "level": "purple"}
    )
    empty = leader.post("/supervision/orders", {"case_id": case.pk, "instruction": ""})
    missing = leader.post("/supervision/orders/999999/reply", {"text": "x"})

    assert forbidden.status_code == 403 and forbidden.json()["code"] == "not_allowed"
    assert on_closed.status_code == 409 and on_closed.json()["code"] == "case_closed"
    assert unknown_level.json()["field"] == "level"
    assert empty.json()["code"] == "instruction"
    assert missing.status_code == 404
    assert not SupervisionOrder.objects.exists()
