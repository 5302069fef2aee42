"""A walk-in dispute from the intake desk to the mediator's phone, in real Chromium."""

import pytest

from fengqiao.cases.models import Case, CaseCategory, State
from tests.fixtures import (
    PNG,
    SCREENSHOTS,
    PersonFactory,
    build_town,
    desk_context,
    fits_the_phone,
    log_in,
    phone_context,
    property_team,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def register_walk_in_dispute(page, base_url, resident) -> None:
    page.goto(f"{base_url}/cases/new/")
    # A dispute by default; the grade goes away for a consultation and comes back.
    assert page.is_visible("#id_grade")
    page.select_option("#id_kind", "consultation")
    assert not page.is_visible("#id_grade")
    page.select_option("#id_kind", "dispute")
    assert page.is_visible("#id_grade")
    page.select_option("#id_category", label="物业纠纷")
    page.fill("#id_title", "物业停车收费纠纷")
    page.fill("#id_account", "业主反映物业公司擅自上调停车费，多次协商未果。")
    page.fill("#id_area_search", "1组")
    page.click(".picker-choice:has-text('东村1组')")
    page.fill("#id_people_involved", "3")

    # The applicant is found by phone; the list shows masked numbers only.
    page.fill("#parties-0-search", resident.phone)
    choice = page.wait_for_selector(".party-choice")
    assert resident.phone not in choice.inner_text()
    choice.click()
    assert page.inner_text(".party-chosen-label").startswith(resident.name)
    # The respondent is added as a new person.
    page.click("#id_parties-1-role >> xpath=ancestor::fieldset//summary")
    page.fill("#id_parties-1-name", "孙经理")
    page.select_option("#id_parties-1-gender", "M")
    page.set_input_files(
        "#id_attachments", files=[{"name": "收费通知.png", "mimeType": "image/png", "buffer": PNG}]
    )

    # The deadline is stated before saving, and follows the grade.
    general = page.inner_text("#deadline-preview")
    assert "23:59" in general
    with page.expect_response("**/cases/new/deadline/**"):
        page.select_option("#id_grade", "important")
    page.wait_for_function(
        "text => document.querySelector('#deadline-preview').innerText !== text", arg=general
    )
    assert "7" in page.inner_text("#deadline-preview")

    page.check("#id_accept_now")
    page.click("form.intake button[type=submit].primary")
    page.wait_for_url("**/cases/*/")


def test_a_walk_in_dispute_goes_from_the_desk_to_the_mediators_phone(live_server, browser):
    town = build_town()
    team = property_team(town)
    team.categories.add(CaseCategory.objects.get(code="property"))
    resident = PersonFactory(name="赵丽", area=town.unit_a1)
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The intake clerk registers the walk-in and accepts it at once.
    desk = desk_context(browser)
    clerk = desk.new_page()
    log_in(clerk, base, town.user("intake_clerk").username)
    register_walk_in_dispute(clerk, base, resident)
    case = Case.objects.get()
    assert case.state == State.ACCEPTED
    assert (case.grade, case.people_involved) == ("important", 3)
    assert {p.role: p.person.name for p in case.parties.all()} == {
        "applicant": "赵丽",
        "respondent": "孙经理",
    }
    assert case.attachments.get().original_name == "收费通知.png"
    assert case.number in clerk.inner_text("h1")
    clerk.goto(f"{base}/cases/")
    assert clerk.is_visible(f"a[href='/cases/{case.pk}/']")
    desk.close()

    # The dispatcher finds it in the area queue and sends it to the property team.
    desk = desk_context(browser)
    dispatcher = desk.new_page()
    log_in(dispatcher, base, town.user("dispatcher").username)
    dispatcher.goto(f"{base}/cases/")
    dispatcher.click(f"a[href='/cases/{case.pk}/']")
    dispatcher.click("#action-dispatch > summary")
    options = dispatcher.eval_on_selector_all(
        "#id_dispatch-handler option", "options => options.map(o => o.value)"
    )
    assert options[1] == f"team:{team.pk}"  # the team taking property disputes comes first
    dispatcher.select_option("#id_dispatch-handler", f"team:{team.pk}")
    dispatcher.click("#action-dispatch button[type=submit]")
    dispatcher.wait_for_selector(".messages .success")
    case.refresh_from_db()
    assert (case.state, case.handler_team) == (State.DISPATCHED, team)
    desk.close()

    # The mediator sees it in their team's queue on a phone, and acknowledges it.
    phone = phone_context(browser)
    mediator = phone.new_page()
    log_in(mediator, base, town.user("mediator").username)
    mediator.goto(f"{base}/cases/")
    assert mediator.get_attribute(".tabs a[aria-current='page']", "href").startswith("?scope=team")
    assert fits_the_phone(mediator)
    mediator.screenshot(path=str(SCREENSHOTS / "case-queue-phone.png"), full_page=True)
    mediator.click(f"a[href='/cases/{case.pk}/']")
    assert fits_the_phone(mediator)
    # The forms are folded: the page opens on the deadline and the list of actions.
    assert not mediator.is_visible("#action-acknowledge form")
    mediator.click("#action-acknowledge > summary")
    mediator.click("#action-acknowledge button[type=submit]")
    mediator.wait_for_selector(".messages .success")
    case.refresh_from_db()
    assert case.state == State.ACKNOWLEDGED
    assert fits_the_phone(mediator)
    mediator.screenshot(path=str(SCREENSHOTS / "case-detail-phone.png"), full_page=True)
    phone.close()


def test_the_intake_form_fits_a_phone(live_server, browser):
    town = build_town()
    phone = phone_context(browser)
    page = phone.new_page()
    log_in(page, live_server.url, town.user("grid_worker").username)
    page.goto(f"{live_server.url}/cases/new/")
    assert fits_the_phone(page)
    page.click(".add-party")
    assert page.is_visible("#id_parties-2-role")
    assert page.input_value("#id_parties-TOTAL_FORMS") == "3"
    assert fits_the_phone(page)
    page.screenshot(path=str(SCREENSHOTS / "case-intake-phone.png"), full_page=True)
    phone.close()
