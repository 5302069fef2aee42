"""Check-box and radio lists (mediators, parties present, assisting units, outcomes, the
follow-up's answers, notification channels): each box sits beside its own label, on the
phone and at the desk."""

from __future__ import annotations

import pytest

from fengqiao.followups.models import FollowUp
from tests.fixtures import DESK, PHONE, SCREENSHOTS, chromium, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For every box in the page's main content: the box and the first visible character of its
# label's text, and whether they share a line with the box on the left, close by.
BOXES_AND_LABELS = """
() => Array.from(document.querySelectorAll(
  "main input[type=checkbox], main input[type=radio]"
)).filter((input) => input.offsetParent !== null).map((input) => {
  const label = input.closest("label") || document.querySelector(`label[for="${input.id}"]`);
  const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
  });
  const text = walker.nextNode();
  const start = text.textContent.search(/\\S/);
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, start + 1);
  const letter = range.getBoundingClientRect();
  const box = input.getBoundingClientRect();
  const middle = box.top + box.height / 2;
  return {
    name: input.name,
    label: label.textContent.trim().slice(0, 30),
    sameLine: middle >= letter.top && middle <= letter.bottom,
    beside: box.right <= letter.left + 1 && letter.left - box.right < 24,
    box: [box.left, box.top, box.width, box.height].map(Math.round),
    letter: [letter.left, letter.top, letter.width, letter.height].map(Math.round),
  };
})
"""
VIEWPORTS = {"phone": PHONE, "desk": DESK}


def forms_with_choices(world) -> list[tuple[str, str, str]]:
    """(who, page, name for the screenshot) for every form that has a choice list."""
    from fengqiao.mediation.models import Mediation

    mediated, unmediated = world.objects["mediated"], world.objects["unmediated"]
    mediation = Mediation.objects.get(case=mediated)
    followup = FollowUp.objects.order_by("pk").first()
    return [
        ("t_mediator", f"/mediation/cases/{unmediated.pk}/start/", "mediation-start"),
        ("t_mediator", f"/mediation/{mediation.pk}/session/", "mediation-session"),
        ("t_mediator", f"/mediation/{mediation.pk}/agreement/", "mediation-agreement"),
        ("t_mediator", f"/mediation/{mediation.pk}/outcome/", "mediation-outcome"),
        ("t_leader", f"/supervision/raise/{mediated.pk}/", "supervision-raise"),
        ("t_leader", f"/followups/{followup.pk}/", "followup-record"),
        ("t_leader", "/notifications/", "notification-channels"),
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_each_box_is_on_the_line_of_its_own_label(live_server, world, viewport):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    misplaced, checked = [], 0
    with chromium() as browser:
        for who, path, name in forms_with_choices(world):
            context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
            page = context.new_page()
            log_in(page, live_server.url, who)
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            # folded sections (the assisting units) are opened: their boxes count too
            page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
            boxes = page.evaluate(BOXES_AND_LABELS)
            assert boxes, f"{path} shows no choice list"
            checked += len(boxes)
            misplaced += [(path, box) for box in boxes if not (box["sameLine"] and box["beside"])]
            if viewport == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            page.screenshot(
                path=str(SCREENSHOTS / f"choices-{name}-{viewport}.png"), full_page=True
            )
            context.close()

    assert misplaced == []
    assert checked >= 20
