"""Screening on a phone in real Chromium: a unit head files a zero report in one tap, a
village cadre reports a finding on a grid's behalf; every screening page fits a 360 px
screen with finger-sized targets."""

from __future__ import annotations

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.screening.models import ReportState, ScreeningReport
from fengqiao.screening.services import screening_round_open
from tests.fixtures import SCREENSHOTS, build_town, chromium, fits_the_phone, log_in, phone_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every target a finger may need in the page's own content (the site's top bar is shared):
# links, buttons, fields, summaries, and the labels that stand for a radio or check box.
SMALL_TARGETS = """
() => {
  const small = [];
  const nodes = document.querySelectorAll([
    "main a[href]", "main button", "main select", "main textarea", "main summary",
    "main input:not([type=hidden])"].join(", "));
  for (const node of nodes) {
    let target = node;
    if (node.tagName === "INPUT" && ["checkbox", "radio"].includes(node.type)) {
      target = node.closest("label") || node;
    }
    if (target.getClientRects().length === 0) continue;
    const box = target.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      const label = (target.textContent || target.name || "").trim().slice(0, 20);
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${target.tagName.toLowerCase()} "${label}" ${size}`);
    }
  }
  return small;
}
"""


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


def check(page, name: str) -> None:
    # A page opened by a tap is checked once it and its style sheets have loaded.
    page.wait_for_load_state("load")
    assert fits_the_phone(page), name
    assert page.evaluate(SMALL_TARGETS) == [], name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"screening-{name}.png"), full_page=True)


def test_a_unit_head_files_a_zero_report_in_one_tap_on_a_phone(live_server, browser):
    town = build_town()
    screening_round = screening_round_open(actor=town.user(Role.LEADER))
    context = phone_context(browser)
    page = context.new_page()
    log_in(page, live_server.url, town.user(Role.UNIT_HEAD).username)

    page.goto(f"{live_server.url}/screening/")
    check(page, "list")
    page.click("a.button:has-text('东村1组')")
    page.wait_for_url(f"**/screening/{screening_round.pk}/areas/{town.unit_a1.pk}/")
    check(page, "area")
    page.click("button:has-text('报送零报告')")

    page.wait_for_selector(".messages .success")
    assert "已报送零报告" in page.inner_text(".messages")
    report = ScreeningReport.objects.get(round=screening_round, area=town.unit_a1)
    assert report.state == ReportState.NOTHING_FOUND
    page.goto(f"{live_server.url}/screening/{screening_round.pk}/")
    check(page, "round")
    context.close()


def test_a_village_cadre_reports_a_finding_for_a_grid_on_a_phone(live_server, browser):
    town = build_town()
    screening_round = screening_round_open(actor=town.user(Role.LEADER))
    context = phone_context(browser)
    page = context.new_page()
    log_in(page, live_server.url, town.user(Role.VILLAGE_CADRE).username)

    page.goto(f"{live_server.url}/screening/{screening_round.pk}/areas/{town.grid_a2.pk}/")
    page.click("label:has-text('隐患')")
    page.fill("#id_text", "二网格沟渠堵塞，雨季易内涝")
    page.click("button:has-text('上报该发现')")

    page.wait_for_selector(".messages .success")
    report = ScreeningReport.objects.get(round=screening_round, area=town.grid_a2)
    assert (report.state, report.on_behalf, report.expected) == (ReportState.FOUND, True, False)
    assert report.findings.get().case.title == "二网格沟渠堵塞"
    check(page, "findings")
    context.close()
