"""The case pages: intake, work queues, the Excel export, one case with its actions."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseCategory, State
from fengqiao.cases.services import PartyInput
from fengqiao.core import clock
from fengqiao.orgs.models import MediationKind, MediationOrganization
from fengqiao.people.models import Organization, Person
from fengqiao.people.services import organization_create
from tests.fixtures import act, case_in_state, make_id_number, new_case, png, property_team

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def client(client, settings):
    # Messages are checked in English, whatever the zh_Hans catalogue says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime(LOCAL)


def intake_data(town, **overrides):
    now = local(clock.now())
    data = {
        "kind": "dispute",
        "grade": "general",
        "category": CaseCategory.objects.get(code="property").pk,
        "channel": "walk_in",
        "title": "楼道堆放杂物",
        "account": "邻居长期在楼道堆放杂物，影响通行和消防安全。",
        "area": town.unit_a1.pk,
        "address": "东村1组3号",
        "latitude": "",
        "longitude": "",
        "people_involved": "2",
        "amount_involved": "",
        "received_at": now,
        "opened_at": now,
        "backdate_reason": "",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "2",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10",
        "parties-0-role": "applicant",
        "parties-0-name": "田秀兰",
        "parties-0-id_number": make_id_number(male=False),
        "parties-1-role": "respondent",
    }
    data.update(overrides)
    return data


def body(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------ intake
def test_the_intake_page_offers_the_form_and_the_deadline(client, town):
    client.force_login(town.user("intake_clerk"))
    page = body(client.get("/cases/new/"))
    assert 'name="parties-0-role"' in page
    assert "The deadline it will get" in page
    assert "working days, by" in page
    # The clerk may accept at once; a grid worker reports without accepting.
    assert 'name="accept_now"' in page
    client.force_login(town.user("grid_worker"))
    assert 'name="accept_now"' not in body(client.get("/cases/new/"))


def test_a_clerk_registers_a_walk_in_dispute(client, town):
    client.force_login(town.user("intake_clerk"))
    response = client.post("/cases/new/", intake_data(town))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.state == State.REPORTED
    assert (case.title, case.people_involved, case.area) == ("楼道堆放杂物", 2, town.unit_a1)
    party = case.parties.get()
    assert (party.role, party.person.name) == ("applicant", "田秀兰")
    page = body(client.get(response["Location"]))
    assert f"Case {case.number} is registered." in page


def test_accept_at_once(client, town):
    client.force_login(town.user("intake_clerk"))
    client.post("/cases/new/", intake_data(town, accept_now="on"))
    case = Case.objects.get()
    assert case.state == State.ACCEPTED
    assert list(case.events.values_list("action", flat=True)) == ["report", "accept"]


def test_parties_can_be_found_people_and_organisations(client, town, residents):
    company = organization_create(actor=None, name="东村物业公司", area=town.village_a)
    client.force_login(town.user("intake_clerk"))
    data = intake_data(town, **{"parties-0-person": residents["a1"].pk, "parties-0-name": ""})
    data["parties-0-id_number"] = ""
    data["parties-1-organization"] = company.pk
    client.post("/cases/new/", data)
    case = Case.objects.get()
    parties = {p.role: p.party for p in case.parties.all()}
    assert parties == {"applicant": residents["a1"], "respondent": company}
    assert Organization.objects.count() == 1


def test_a_third_party_slot_added_on_the_page_is_kept(client, town):
    client.force_login(town.user("intake_clerk"))
    data = intake_data(
        town,
        **{
            "parties-TOTAL_FORMS": "3",
            "parties-2-role": "respondent",
            "parties-2-name": "王经理",
            "parties-2-gender": "M",
        },
    )
    client.post("/cases/new/", data)
    assert sorted(Case.objects.get().parties.values_list("role", flat=True)) == [
        "applicant",
        "respondent",
    ]


def test_the_search_for_parties_shows_masked_numbers(client, town, residents):
    zhang = residents["a1"]
    client.force_login(town.user("intake_clerk"))
    by_id = body(client.get("/cases/new/parties/", {"q": zhang.id_number}))
    assert f'data-person="{zhang.pk}"' in by_id
    assert zhang.id_number_masked in by_id
    assert zhang.id_number not in by_id and zhang.phone not in by_id
    by_name = body(client.get("/cases/new/parties/", {"q": "张"}))
    assert f'data-person="{zhang.pk}"' in by_name
    # A grid worker finds only the people of their own grid.
    client.force_login(town.user("grid_worker"))
    assert "data-person" not in body(client.get("/cases/new/parties/", {"q": "王五"}))


def _never_saved():
    assert not Case.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"parties-0-name": "", "parties-0-id_number": ""},
            "A dispute needs at least one applicant.",
        ),
        (
            {"received_at": local(clock.now() - dt.timedelta(days=2))},
            "Say why the matter is registered later than it was received.",
        ),
        (
            {"received_at": local(clock.now() + dt.timedelta(days=2))},
            "The time of receipt cannot be in the future.",
        ),
        ({"parties-0-id_number": "15029119800101123"}, "ID"),
        ({"category": "", "title": ""}, "This field is required."),
    ],
    ids=["no applicant", "back-dated without reason", "future", "bad party ID", "required"],
)
def test_bad_intake_input_is_shown_by_its_field_and_nothing_is_saved(
    client, town, overrides, message
):
    client.force_login(town.user("intake_clerk"))
    response = client.post("/cases/new/", intake_data(town, **overrides))
    page = body(response)
    assert response.status_code == 400
    assert "nothing has been saved" in page
    assert re.search(r'class="field-error"[^>]*>[^<]*' + re.escape(message), page), message
    # What was typed is still there.
    assert "邻居长期在楼道堆放杂物" in page
    _never_saved()


def test_every_problem_of_an_intake_is_shown_at_once_and_what_was_typed_is_kept(client, town):
    client.force_login(town.user("intake_clerk"))
    data = intake_data(
        town,
        title="",
        received_at=local(clock.now() + dt.timedelta(days=2)),
        **{"parties-0-id_number": "15029119800101123"},
    )

    response = client.post("/cases/new/", data)

    page = body(response)
    assert response.status_code == 400
    errors = re.findall(r'class="field-error"[^>]*>([^<]*)<', page)
    assert "This field is required." in errors  # the title
    assert "The time of receipt cannot be in the future." in errors
    assert any("ID" in error for error in errors), errors
    assert "邻居长期在楼道堆放杂物" in page and "15029119800101123" in page
    # No file was chosen, so none is asked for again.
    assert "Choose any attachments again." not in page
    _never_saved()


def test_chosen_files_are_asked_for_again_when_the_intake_is_refused(client, town):
    client.force_login(town.user("intake_clerk"))
    data = intake_data(town, title="")
    data["attachments"] = [png("现场.png")]

    page = body(client.post("/cases/new/", data))

    assert "Choose any attachments again." in page
    _never_saved()


def test_a_party_error_lands_on_that_party(client, town):
    client.force_login(town.user("intake_clerk"))
    data = intake_data(
        town,
        **{
            "parties-1-name": "王经理",
            "parties-1-phone": "12345",
            "parties-1-gender": "M",
        },
    )
    page = body(client.post("/cases/new/", data))
    first, second = page.split('<fieldset class="party">')[1:3]
    assert "field-error" not in first
    phone = second.split('name="parties-1-phone"')[1]
    assert re.search(r'class="field-error">Enter an 11-digit mobile number', phone)
    _never_saved()


def test_an_attachment_of_a_forbidden_type_is_refused(client, town):
    client.force_login(town.user("intake_clerk"))
    data = intake_data(town)
    data["attachments"] = [SimpleUploadedFile("报告.png", b"MZ\x90\x00" * 10, "image/png")]
    page = body(client.post("/cases/new/", data))
    assert "报告.png is not a photo (JPEG, PNG, WebP) or a PDF document." in page
    _never_saved()


def test_photos_are_stored_with_the_case(client, town):
    client.force_login(town.user("intake_clerk"))
    data = intake_data(town)
    data["attachments"] = [png("现场1.png"), png("现场2.png")]
    client.post("/cases/new/", data)
    names = sorted(Case.objects.get().attachments.values_list("original_name", flat=True))
    assert names == ["现场1.png", "现场2.png"]


def test_an_area_outside_the_jurisdiction_is_refused_at_intake(client, town):
    client.force_login(town.user("grid_worker"))
    page = body(client.post("/cases/new/", intake_data(town, area=town.unit_b1.pk)))
    assert "this one is not in your area" in page
    _never_saved()


def test_a_backdated_matter_with_a_reason_keeps_its_time(client, town):
    client.force_login(town.user("intake_clerk"))
    earlier = clock.now() - dt.timedelta(days=1)
    client.post(
        "/cases/new/",
        intake_data(town, received_at=local(earlier), backdate_reason="昨日来电，今日补录"),
    )
    case = Case.objects.get()
    assert local(case.received_at) == local(earlier)
    assert case.backdate_reason == "昨日来电，今日补录"


def test_roles_that_do_not_register_cases_cannot_open_the_intake(client, town):
    for role in ("mediator", "agency_liaison", "system_admin"):
        client.force_login(town.user(role))
        assert client.get("/cases/new/").status_code == 403


# ------------------------------------------------------------------ deadline preview
def test_the_deadline_preview_states_tier_and_due_date(client, town):
    client.force_login(town.user("intake_clerk"))
    # Received on 30 September 2025: the National Day holidays run to 8 October and
    # Saturday 11 October is an adjusted working day.
    params = {"kind": "dispute", "grade": "general", "received_at": "2025-09-30T10:00"}
    page = body(client.get("/cases/new/deadline/", params))
    assert "General dispute: feedback within 3 working days" in page
    assert "Oct. 11, 2025 (Saturday) 23:59" in page
    assert "provisional" not in page


def test_the_deadline_preview_in_chinese_dates(client, town):
    client.force_login(town.user("intake_clerk"))
    client.cookies["django_language"] = "zh-hans"
    params = {"kind": "dispute", "grade": "general", "received_at": "2026-11-26T09:00"}
    page = body(client.get("/cases/new/deadline/", params))
    assert "2026年12月1日" in page and "星期二" in page and "23:59" in page


def test_the_deadline_preview_marks_an_unknown_year_provisional(client, town):
    client.force_login(town.user("intake_clerk"))
    params = {"kind": "dispute", "grade": "complex", "received_at": "2035-12-20T09:00"}
    page = body(client.get("/cases/new/deadline/", params))
    assert "initial handling opinion within 15 working days" in page
    assert "provisional" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "dispute", "grade": ""}, "Choose the grade to see the deadline."),
        ({"kind": "consultation", "grade": "complex"}, "Consultation: reply within 1 working day"),
        ({"kind": "emergency"}, "Emergency: response on the day of receipt"),
        ({"kind": "dispute", "grade": "general", "received_at": "x"}, "Enter the time"),
    ],
)
def test_the_deadline_preview_for_other_kinds(client, town, params, expected):
    client.force_login(town.user("intake_clerk"))
    assert expected in body(client.get("/cases/new/deadline/", params))


# ------------------------------------------------------------------ queues
def numbers(page: str) -> list[str]:
    return re.findall(r'<span class="mono muted">(FQ-\d{4}-\d{6})</span>', page)


def test_the_queue_lists_cases_nearest_deadline_first(client, town):
    clerk = town.user("intake_clerk")
    later = new_case(clerk, town.unit_a1, grade="complex", title="复杂")
    sooner = new_case(clerk, town.unit_a1, grade="general", title="一般")
    overdue = new_case(
        clerk,
        town.unit_a1,
        title="逾期",
        received_at=clock.now() - dt.timedelta(days=30),
        backdate_reason="补录",
    )
    client.force_login(clerk)
    page = body(client.get("/cases/"))
    assert numbers(page) == [overdue.number, sooner.number, later.number]
    overdue_card = page.split(overdue.number)[0].rsplit("<li", 1)[1]
    assert 'class="case-card overdue"' in overdue_card
    assert "Overdue by" in page


def test_queue_filters(client, town):
    clerk = town.user("intake_clerk")
    reported = new_case(clerk, town.unit_a1, grade="complex", title="待受理的事")
    accepted = case_in_state(town, State.ACCEPTED)
    overdue = new_case(
        clerk,
        town.unit_b1,
        title="逾期的事",
        kind="demand",
        channel="hotline_12345",
        received_at=clock.now() - dt.timedelta(days=30),
        backdate_reason="补录",
    )
    client.force_login(clerk)

    def listed(**params):
        return set(numbers(body(client.get("/cases/", params))))

    assert listed() == {reported.number, accepted.number, overdue.number}
    assert listed(state="accepted") == {accepted.number}
    assert listed(overdue="on") == {overdue.number}
    # Within 3 working days: the general dispute (3) and the overdue one, not the complex (15).
    assert listed(due_within="3") == {accepted.number, overdue.number}
    assert listed(kind="demand") == {overdue.number}
    assert listed(channel="hotline_12345") == {overdue.number}
    assert listed(grade="complex") == {reported.number}
    assert listed(area=town.village_b.pk) == {overdue.number}
    assert listed(text="待受理") == {reported.number}
    assert listed(text=accepted.number) == {accepted.number}
    assert listed(category=CaseCategory.objects.get(code="land").pk) == set()
    # The filter form keeps its values.
    page = body(client.get("/cases/", {"state": "accepted", "text": "待受理"}))
    assert '<option value="accepted" selected>' in page
    assert 'value="待受理"' in page


def test_closed_cases_only_on_request(client, town):
    closed = case_in_state(town, State.CLOSED)
    client.force_login(town.user("leader"))
    assert closed.number not in body(client.get("/cases/"))
    assert closed.number in body(client.get("/cases/", {"state": "any"}))
    assert closed.number in body(client.get("/cases/", {"state": "closed"}))


def test_queue_tabs_mine_team_and_area(client, town):
    clerk, dispatcher = town.user("intake_clerk"), town.user("dispatcher")
    mediator = town.user("mediator")
    to_team = case_in_state(town, State.ACCEPTED)
    act(dispatcher, to_team, "dispatch", handler={"team": property_team(town).pk})
    to_mediator = case_in_state(town, State.ACCEPTED)
    act(dispatcher, to_mediator, "dispatch", handler={"user": mediator.pk})
    waiting = new_case(clerk, town.unit_a1)

    client.force_login(mediator)
    page = body(client.get("/cases/"))
    # A mediator has no area queue: their team's queue comes first.
    assert 'href="?scope=area' not in page
    assert set(numbers(page)) == {to_team.number}
    assert set(numbers(body(client.get("/cases/", {"scope": "mine"})))) == {to_mediator.number}
    assert set(numbers(body(client.get("/cases/", {"scope": "area"})))) == {to_team.number}

    client.force_login(clerk)
    everything = {to_team.number, to_mediator.number, waiting.number}
    assert set(numbers(body(client.get("/cases/")))) == everything
    assert numbers(body(client.get("/cases/", {"scope": "mine"}))) == []


def test_an_agency_liaison_sees_the_cases_of_their_agency(client, town):
    transferred = case_in_state(town, State.TRANSFERRED)
    new_case(town.user("intake_clerk"), town.unit_a1, title="别的")
    client.force_login(town.user("agency_liaison"))
    assert numbers(body(client.get("/cases/"))) == [transferred.number]


def test_the_queue_is_paginated_and_pages_keep_the_filters(client, town):
    clerk = town.user("intake_clerk")
    for index in range(26):
        new_case(clerk, town.unit_a1, title=f"第{index}件")
    client.force_login(clerk)
    first = body(client.get("/cases/", {"kind": "dispute"}))
    assert len(numbers(first)) == 25
    assert "Page 1 of 2" in first
    assert "kind=dispute" in first.split("Page 1 of 2")[1]
    assert "page=2" in first.split("Page 1 of 2")[1]
    second = body(client.get("/cases/", {"kind": "dispute", "page": "2"}))
    assert len(numbers(second)) == 1


def test_the_three_administrators_have_no_case_pages(client, town):
    for role in ("system_admin", "security_admin", "audit_admin"):
        client.force_login(town.user(role))
        assert client.get("/cases/").status_code == 403
        assert 'href="/cases/"' not in body(client.get("/admin/", follow=True))


def test_navigation_offers_cases_by_role(client, town):
    client.force_login(town.user("grid_worker"))
    page = body(client.get("/"))
    assert 'href="/cases/"' in page and 'href="/cases/new/"' in page
    client.force_login(town.user("mediator"))
    page = body(client.get("/"))
    assert 'href="/cases/"' in page and 'href="/cases/new/"' not in page


def test_the_home_page_counts_open_and_overdue_cases(client, town):
    clerk = town.user("intake_clerk")
    new_case(clerk, town.unit_a1)
    new_case(
        clerk,
        town.unit_a1,
        received_at=clock.now() - dt.timedelta(days=30),
        backdate_reason="补录",
    )
    client.force_login(clerk)
    page = body(client.get("/"))
    assert re.search(r"Open</dt><dd><a[^>]*>2</a>", page)
    assert re.search(r"Overdue</dt><dd><a[^>]*>1</a>", page)


# ------------------------------------------------------------------ export
def test_the_export_is_a_workbook_of_the_filtered_list(client, town):
    clerk = town.user("intake_clerk")
    new_case(clerk, town.unit_a1, title='=HYPERLINK("http://evil.example","点我")')
    new_case(clerk, town.unit_a1, title="@SUM(1+1)")
    new_case(clerk, town.unit_a1, title="普通的事", kind="demand", grade="")
    client.force_login(clerk)
    response = client.get("/cases/export/", {"kind": "dispute"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Case number", "Kind of matter", "Grade", "Category", "Title")
    titles = {row[4] for row in rows[1:]}
    assert titles == {'\'=HYPERLINK("http://evil.example","点我")', "'@SUM(1+1)"}
    assert all(cell.data_type == "s" for cell in sheet["E"][1:])
    assert isinstance(rows[1][8], dt.datetime)
    event = AuditEvent.objects.get(action="case.export")
    assert event.details == {"count": 2, "filters": {"scope": "area", "kind": "dispute"}}


def test_roles_without_the_export_capability_get_403(client, town):
    for role in ("mediator", "grid_worker", "unit_head"):
        client.force_login(town.user(role))
        assert client.get("/cases/export/").status_code == 403
        assert 'href="/cases/export/' not in body(client.get("/cases/"))


# ------------------------------------------------------------------ one case
def action_urls(page: str, case) -> set[str]:
    return set(re.findall(rf'action="/cases/{case.pk}/act/([a-z_]+)/"', page))


def test_the_detail_shows_facts_masked_parties_and_the_timeline(client, town, residents):
    zhang = residents["a1"]
    clerk = town.user("intake_clerk")
    case = new_case(clerk, town.unit_a1, parties=[PartyInput(role="applicant", person_id=zhang.pk)])
    client.force_login(town.user("leader"))
    page = body(client.get(f"/cases/{case.pk}/"))
    assert case.number in page and case.title in page
    assert zhang.id_number_masked in page and zhang.phone_masked in page
    assert zhang.id_number not in page and zhang.phone not in page
    assert "Registered" in page
    assert "working days left" in page or "Due by the end of today" in page


@pytest.mark.parametrize(
    ("state", "css", "expected"),
    [
        (State.SUSPENDED, "suspended", "Clock suspended since"),
        (State.RESOLVED, "met", "Met on time, on"),
        (State.REJECTED, "done", "No deadline: the case is finished"),
        (State.DISPATCHED, "", "3 working days left"),
    ],
)
def test_the_deadline_block_tells_where_the_clock_stands(client, town, state, css, expected):
    case = case_in_state(town, state)
    client.force_login(town.user("leader"))
    page = body(client.get(f"/cases/{case.pk}/"))
    assert f'class="card deadline {css}"' in page
    assert expected in page


def test_a_milestone_met_after_the_deadline_is_shown_late(client, town):
    case = new_case(
        town.user("intake_clerk"),
        town.unit_a1,
        received_at=clock.now() - dt.timedelta(days=30),
        backdate_reason="补录",
    )
    team = {"handler": {"team": property_team(town).pk}}
    for role, action, inputs in [
        ("intake_clerk", "accept", {}),
        ("dispatcher", "dispatch", team),
        ("mediator", "acknowledge", {}),
        ("mediator", "record_milestone", {"note": "已向当事人反馈"}),
    ]:
        case = act(town.user(role), case, action, **inputs)
    client.force_login(town.user("mediator"))
    page = body(client.get(f"/cases/{case.pk}/"))
    assert 'class="card deadline late"' in page
    assert "Met late, on" in page


def test_the_detail_offers_exactly_the_available_actions(client, town):
    case = case_in_state(town, State.ACCEPTED)
    client.force_login(town.user("grid_worker"))
    grid_worker_sees = action_urls(body(client.get(f"/cases/{case.pk}/")), case)
    assert "dispatch" not in grid_worker_sees
    assert grid_worker_sees == {"attach"}
    client.force_login(town.user("dispatcher"))
    dispatcher_sees = action_urls(body(client.get(f"/cases/{case.pk}/")), case)
    assert {"dispatch", "merge", "transfer", "escalate", "regrade"} <= dispatcher_sees


def test_the_dispatch_form_lists_the_team_taking_the_category_first(client, town):
    MediationOrganization.objects.create(
        kind=MediationKind.TEAM, name="A土地调解队", area=town.town
    )
    team = property_team(town)
    team.categories.add(CaseCategory.objects.get(code="property"))
    case = case_in_state(town, State.ACCEPTED)
    client.force_login(town.user("dispatcher"))
    page = body(client.get(f"/cases/{case.pk}/"))
    select = re.search(r'<select name="dispatch-handler".*?</select>', page, re.S).group()
    options = re.findall(r'<option value="team:\d+"(?: selected)?>([^<]+)</option>', select)
    assert options == [
        "物业纠纷调解队 · 0 open cases — proposed for this category",
        "A土地调解队 · 0 open cases",
    ]
    # The team routed for the category is proposed; the dispatcher may choose another.
    assert f'<option value="team:{team.pk}" selected>' in select


def test_an_action_is_taken_and_the_page_says_so(client, town):
    case = case_in_state(town, State.ACCEPTED)
    team = property_team(town)
    client.force_login(town.user("dispatcher"))
    response = client.post(
        f"/cases/{case.pk}/act/dispatch/",
        {"dispatch-version": case.version, "dispatch-handler": f"team:{team.pk}"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.handler_team) == (State.DISPATCHED, team)
    page = body(client.get(f"/cases/{case.pk}/"))
    assert "Done: Dispatch." in page
    assert "物业纠纷调解队" in page


def test_a_stale_version_shows_who_changed_the_case(client, town):
    case = case_in_state(town, State.REPORTED)
    seen = case.version
    act(town.user("leader"), case, "accept")
    client.force_login(town.user("intake_clerk"))
    response = client.post(
        f"/cases/{case.pk}/act/reject/",
        {"reject-version": seen, "reject-reason": "不属于受理范围"},
    )
    assert response.status_code == 409
    page = body(response)
    assert str(town.user("leader")) in page
    assert "after you opened it" in page
    # The fresh page: the case is accepted now, and nothing of the clerk's was saved.
    assert "Accepted, awaiting dispatch" in page
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


def test_a_stale_version_keeps_what_was_typed_when_the_action_is_still_possible(client, town):
    case = case_in_state(town, State.ACCEPTED)
    seen = case.version
    act(town.user("leader"), case, "attach", files=[png()])
    client.force_login(town.user("dispatcher"))
    response = client.post(
        f"/cases/{case.pk}/act/escalate/",
        {"escalate-version": seen, "escalate-reason": "村级无法化解"},
    )
    assert response.status_code == 409
    page = body(response)
    assert "村级无法化解" in page
    case.refresh_from_db()
    assert f'name="escalate-version" value="{case.version}"' in page


def test_a_refused_action_says_why_and_changes_nothing(client, town):
    case = case_in_state(town, State.ACCEPTED)
    client.force_login(town.user("grid_worker"))
    response = client.post(
        f"/cases/{case.pk}/act/dispatch/",
        {"dispatch-version": case.version, "dispatch-handler": f"team:{property_team(town).pk}"},
    )
    assert response.status_code == 403
    assert "Your role may not take" in body(response)
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


def test_a_missing_input_is_shown_by_its_field(client, town):
    case = case_in_state(town, State.REPORTED)
    client.force_login(town.user("intake_clerk"))
    response = client.post(f"/cases/{case.pk}/act/reject/", {"reject-version": case.version})
    assert response.status_code == 400
    page = body(response)
    assert re.search(r'class="field-error">Give a reason\.', page)
    assert '<details class="action" id="action-reject" open>' in page


def test_a_service_refusal_on_a_field_is_shown_by_it(client, town):
    case = case_in_state(town, State.ACCEPTED)
    client.force_login(town.user("dispatcher"))
    response = client.post(
        f"/cases/{case.pk}/act/dispatch/",
        {"dispatch-version": case.version},
    )
    assert response.status_code == 400
    assert "Choose who handles the case" in body(response)


def test_merge_takes_a_case_number(client, town):
    clerk = town.user("intake_clerk")
    first = new_case(clerk, town.unit_a1, title="第一次反映")
    duplicate = new_case(clerk, town.unit_a1, title="重复反映")
    hidden = new_case(clerk, town.unit_b1, title="西村的事")
    client.force_login(town.user("village_cadre"))
    response = client.post(
        f"/cases/{duplicate.pk}/act/merge/",
        {"merge-version": duplicate.version, "merge-target_case": hidden.number},
    )
    assert "No case with this number is visible to you." in body(response)
    response = client.post(
        f"/cases/{duplicate.pk}/act/merge/",
        {"merge-version": duplicate.version, "merge-target_case": first.number.lower()},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into) == (State.MERGED, first)


def test_files_are_added_through_the_attach_action(client, town):
    case = case_in_state(town, State.ACCEPTED)
    client.force_login(town.user("grid_worker"))
    response = client.post(
        f"/cases/{case.pk}/act/attach/",
        {"attach-version": case.version, "attach-files": [png("补充照片.png")]},
    )
    assert response.status_code == 302
    attachment = case.attachments.get()
    download = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_out_of_scope_is_not_found(client, town):
    case = new_case(town.user("intake_clerk"), town.unit_b1, attachments=[png()])
    attachment = case.attachments.get()
    client.force_login(town.user("grid_worker"))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    response = client.post(
        f"/cases/{case.pk}/act/attach/",
        {"attach-version": case.version, "attach-files": [png()]},
    )
    assert response.status_code == 404
    assert client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    assert case.attachments.count() == 1
    # An attachment of another case is not found through this one.
    own = new_case(town.user("intake_clerk"), town.unit_a1)
    assert client.get(f"/cases/{own.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.post(f"/cases/{own.pk}/act/no_such_action/").status_code == 404
