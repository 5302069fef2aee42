"""The daily log's pages and the field pages: who may open each, what each shows, and that
nothing of village A reaches a grid worker of village B."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseCategory, Channel, Kind
from fengqiao.gridops.models import Excuse, Finding, LogEntry
from tests.fixtures import PASSWORD, SATURDAY, act, log_entry, new_case, png, shanghai

pytestmark = pytest.mark.django_db

EVERYDAY_ROLES = [
    Role.LEADER,
    Role.INTAKE_CLERK,
    Role.DISPATCHER,
    Role.MEDIATOR,
    Role.GRID_WORKER,
    Role.UNIT_HEAD,
    Role.VILLAGE_CADRE,
    Role.AGENCY_LIAISON,
    Role.SYSTEM_ADMIN,
]
FIELD = {Role.GRID_WORKER, Role.UNIT_HEAD, Role.VILLAGE_CADRE}
LOGS = FIELD | {Role.LEADER, Role.INTAKE_CLERK, Role.DISPATCHER}
COMPLIANCE = {Role.LEADER, Role.DISPATCHER, Role.VILLAGE_CADRE}
EXCUSE = {Role.LEADER, Role.VILLAGE_CADRE}


@pytest.fixture
def saturday(monkeypatch):
    from fengqiao.core import clock

    monkeypatch.setattr(clock, "now", lambda: SATURDAY)
    return SATURDAY


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hazard_entry(town, **overrides):
    fields = {
        "at": SATURDAY,
        "finding": Finding.HAZARD,
        "text": "1组楼道堆放电动车电池，有起火隐患。",
        "photos": [png("楼道.png")],
    }
    fields.update(overrides)
    return log_entry(town.user(Role.GRID_WORKER), town.unit_a1, **fields)


# --------------------------------------------------------------------------- who opens what
@pytest.mark.parametrize("role", EVERYDAY_ROLES)
@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("field_home", FIELD),
        ("field_report", FIELD),
        ("field_log_new", FIELD),
        ("log_list", LOGS),
        ("log_compliance", COMPLIANCE),
        ("log_compliance_export", COMPLIANCE),
        ("log_excuse", EXCUSE),
    ],
)
def test_each_page_opens_for_the_roles_it_serves_and_refuses_the_others(
    town, saturday, role, name, allowed
):
    response = client_for(town.user(role)).get(reverse(name))

    assert response.status_code == (200 if role in allowed else 403)


def test_the_service_worker_is_served_from_the_root_never_cached_with_the_field_pages(client):
    # given nobody signed in (the browser fetches the worker as it likes)
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "max-age=0"
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    for page in ["/field/", "/field/report/", "/field/log/new/", "/field/offline/"]:
        assert f'"{page}"' in body
    for asset in ["gridops/field.js", "vendor/idb-keyval/umd.js", "gridops/gridops.css"]:
        assert asset in body
    assert '"/api/"' in body  # never kept


def test_the_offline_page_and_the_csrf_token_answer_without_a_session(client, town):
    assert client.get(reverse("field_offline")).status_code == 200
    assert client.get(reverse("field_csrf")).status_code == 401

    client.force_login(town.user(Role.GRID_WORKER))
    answer = client.get(reverse("field_csrf"))
    assert answer.status_code == 200 and answer.json()["token"]
    assert answer["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        (Role.GRID_WORKER, "/field/"),
        (Role.UNIT_HEAD, "/field/"),
        (Role.VILLAGE_CADRE, "/"),
        (Role.LEADER, "/"),
        (Role.INTAKE_CLERK, "/"),
    ],
)
def test_grid_workers_and_unit_heads_land_on_the_field_home_others_as_before(
    client, town, role, lands_on
):
    response = client.post(
        reverse("login"), {"username": town.user(role).username, "password": PASSWORD}
    )

    assert response.status_code == 302 and response["Location"] == lands_on


def test_a_next_page_still_wins_over_the_field_home(client, town):
    response = client.post(
        reverse("login") + "?next=/cases/",
        {"username": town.user(Role.GRID_WORKER).username, "password": PASSWORD},
    )

    assert response["Location"] == "/cases/"


def test_the_menu_offers_the_log_pages_to_the_roles_they_serve(town):
    grid = client_for(town.user(Role.GRID_WORKER)).get("/").content.decode()
    leader = client_for(town.user(Role.LEADER)).get("/").content.decode()
    mediator = client_for(town.user(Role.MEDIATOR)).get("/").content.decode()

    assert 'href="/field/"' in grid and 'href="/logs/"' in grid
    assert 'href="/logs/compliance/"' not in grid
    assert 'href="/logs/compliance/"' in leader and 'href="/field/"' not in leader
    assert 'href="/logs/"' not in mediator


# --------------------------------------------------------------------------- the field home
def test_the_field_home_says_whether_today_is_logged_and_lists_the_day(town, saturday):
    worker = town.user(Role.GRID_WORKER)
    client = client_for(worker)

    before = client.get(reverse("field_home"))
    assert before.context["log"].done is False
    assert "今天的民情日志还没有写" in before.content.decode()

    log_entry(worker, town.unit_a1, at=SATURDAY)
    after = client.get(reverse("field_home"))
    page = after.content.decode()
    assert after.context["log"].done is True
    assert "今天的民情日志已写" in page
    assert "东村一网格" in page and "西村" not in page
    assert 'href="/field/report/"' in page and 'href="/field/log/new/"' in page
    assert after.context["screenings"] == []


def test_the_field_home_lists_my_cases_nearest_deadline_first(town, saturday):
    worker = town.user(Role.GRID_WORKER)
    cases = []
    for title in ["东村1组路灯不亮", "东村2组垃圾清运"]:
        case = new_case(town.user(Role.INTAKE_CLERK), town.unit_a1, title=title)
        act(town.user(Role.INTAKE_CLERK), case, "accept")
        act(town.user(Role.DISPATCHER), case, "dispatch", handler={"user": worker.pk})
        cases.append(case)

    response = client_for(worker).get(reverse("field_home"))

    shown = [row["case"].pk for row in response.context["cases"]]
    assert shown == [case.pk for case in sorted(cases, key=lambda c: (c.due_at, c.pk))]
    assert response.context["case_count"] == 2


# --------------------------------------------------------------------------- the forms
def test_the_entry_form_offers_only_the_writers_own_places_and_the_active_activities(town):
    page = client_for(town.user(Role.GRID_WORKER)).get(reverse("field_log_new"))
    form = page.context["form"]

    places = {area.pk for area in form.fields["area_id"].queryset}
    assert places == {town.grid_a1.pk, town.unit_a1.pk}
    assert form.fields["area_id"].initial == town.grid_a1.pk
    html = page.content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "巡查" in html


def test_the_quick_report_offers_kinds_and_categories_as_buttons(town):
    page = client_for(town.user(Role.GRID_WORKER)).get(reverse("field_report")).content.decode()

    assert page.count('name="kind"') == 2
    assert 'name="category_id"' in page and "choice-button" in page
    assert 'capture="environment"' in page


def test_the_resident_search_finds_people_of_the_writers_area_masked(town, residents):
    client = client_for(town.user(Role.GRID_WORKER))

    found = client.get(reverse("log_resident_search"), {"q": "张"}).content.decode()
    other = client.get(reverse("log_resident_search"), {"q": "王五"}).content.decode()

    assert "张三" in found and f'data-person="{residents["a1"].pk}"' in found
    assert "王五" not in other


# --------------------------------------------------------------------------- the log
def test_the_list_shows_mine_and_for_the_leader_the_area_with_filters(town, grid_worker_b):
    mine = hazard_entry(town)
    theirs = log_entry(grid_worker_b, town.unit_b1, at=SATURDAY)

    worker_page = client_for(town.user(Role.GRID_WORKER)).get(reverse("log_list"))
    leader = client_for(town.user(Role.LEADER))
    area_page = leader.get(reverse("log_list"), {"scope": "area"})
    hazards = leader.get(reverse("log_list"), {"scope": "area", "finding": "hazard"})
    village_b = leader.get(reverse("log_list"), {"scope": "area", "area": town.village_b.pk})

    assert [e.pk for e in worker_page.context["page"]] == [mine.pk]
    assert {e.pk for e in area_page.context["page"]} == {mine.pk, theirs.pk}
    assert [e.pk for e in hazards.context["page"]] == [mine.pk]
    assert [e.pk for e in village_b.context["page"]] == [theirs.pk]


def test_a_grid_worker_of_another_village_sees_nothing_of_village_a(town, grid_worker_b):
    entry = hazard_entry(town)
    photo = entry.photos.get()
    client = client_for(grid_worker_b)

    listed = client.get(reverse("log_list"), {"scope": "area"})
    assert list(listed.context["page"]) == []
    assert client.get(reverse("log_detail", args=[entry.pk])).status_code == 404
    assert client.get(reverse("log_photo", args=[entry.pk, photo.pk])).status_code == 404
    refused = client.post(
        reverse("log_to_case", args=[entry.pk]),
        {"category": CaseCategory.objects.get(code="other").pk, "kind": "hazard"},
    )
    assert refused.status_code == 404
    assert entry.case_id is None and not Case.objects.exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=grid_worker_b).exists()


def test_the_entry_page_shows_its_photo_through_the_download_view(town):
    entry = hazard_entry(town)
    photo = entry.photos.get()
    client = client_for(town.user(Role.VILLAGE_CADRE))

    page = client.get(reverse("log_detail", args=[entry.pk])).content.decode()
    served = client.get(reverse("log_photo", args=[entry.pk, photo.pk]))

    assert reverse("log_photo", args=[entry.pk, photo.pk]) in page
    assert served.status_code == 200 and served["Cache-Control"] == "no-store"
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_an_entry_becomes_a_case_from_its_page_and_each_links_to_the_other(town):
    entry = hazard_entry(town)
    client = client_for(town.user(Role.GRID_WORKER))
    form = client.get(reverse("log_detail", args=[entry.pk])).context["form"]
    assert form.initial["kind"] == Kind.HAZARD

    response = client.post(
        reverse("log_to_case", args=[entry.pk]),
        {"category": CaseCategory.objects.get(code="other").pk, "kind": "hazard", "grade": ""},
    )

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.channel, case.kind) == (Channel.DAILY_LOG, Kind.HAZARD)
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/logs/{entry.pk}/"' in case_page
    entry_page = client.get(reverse("log_detail", args=[entry.pk]))
    assert entry_page.context["form"] is None
    assert f'href="/cases/{case.pk}/"' in entry_page.content.decode()


def test_an_entry_that_found_nothing_offers_no_case_and_is_refused_with_its_status(town):
    entry = log_entry(town.user(Role.GRID_WORKER), town.unit_a1, at=SATURDAY)
    client = client_for(town.user(Role.GRID_WORKER))
    assert client.get(reverse("log_detail", args=[entry.pk])).context["form"] is None

    refused = client.post(
        reverse("log_to_case", args=[entry.pk]),
        {"category": CaseCategory.objects.get(code="other").pk, "kind": "demand"},
    )

    assert refused.status_code == 409
    assert "未发现异常" in refused.content.decode()
    assert not Case.objects.exists()


def test_the_case_page_of_a_log_case_names_the_entry_without_a_link_for_who_cannot_open_it(
    town,
):
    from fengqiao.gridops.services import log_entry_to_case

    entry = hazard_entry(town)
    case = log_entry_to_case(
        actor=town.user(Role.GRID_WORKER),
        entry_id=entry.pk,
        category=CaseCategory.objects.get(code="other"),
    )
    liaison_view = client_for(town.user(Role.INTAKE_CLERK)).get(f"/cases/{case.pk}/")

    assert f'href="/logs/{entry.pk}/"' in liaison_view.content.decode()
    assert LogEntry.objects.get().case == case


# --------------------------------------------------------------------------- leave
def test_a_village_cadre_records_leave_for_a_worker_of_the_village_only(
    town, saturday, grid_worker_b
):
    client = client_for(town.user(Role.VILLAGE_CADRE))
    page = client.get(reverse("log_excuse"))
    workers = set(page.context["form"].fields["worker"].queryset)
    assert workers == {town.user(Role.GRID_WORKER)}
    # the dates open on today, in the form the browser's date picker reads
    assert 'type="date" name="starts_on" value="2026-02-28"' in page.content.decode()

    refused = client.post(
        reverse("log_excuse"),
        {
            "worker": grid_worker_b.pk,
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-03",
            "kind": "leave",
            "reason": "事假",
        },
    )
    recorded = client.post(
        reverse("log_excuse"),
        {
            "worker": town.user(Role.GRID_WORKER).pk,
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-01",
            "kind": "leave",
            "reason": "事假",
        },
    )
    assert refused.status_code == 400 and recorded.status_code == 400
    assert "早于" in recorded.content.decode() or recorded.context["form"].errors
    assert not Excuse.objects.exists()

    done = client.post(
        reverse("log_excuse"),
        {
            "worker": town.user(Role.GRID_WORKER).pk,
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-03",
            "kind": "sick",
            "reason": "病假",
        },
    )
    assert done.status_code == 302
    assert Excuse.objects.get().recorded_by == town.user(Role.VILLAGE_CADRE)


def test_the_quick_report_offers_the_categories_most_used_lately_and_always_other(town):
    from fengqiao.gridops.selectors import QUICK_CATEGORY_COUNT, quick_categories

    environment = CaseCategory.objects.get(code="environment")
    for _ in range(2):
        new_case(
            town.user(Role.INTAKE_CLERK),
            town.unit_a1,
            kind="hazard",
            grade="",
            category=environment,
        )

    shown, folded = quick_categories()

    assert shown[0] == environment
    assert len(shown) == QUICK_CATEGORY_COUNT and shown[-1].code == "other"
    assert {c.pk for c in shown} | {c.pk for c in folded} == set(
        CaseCategory.objects.filter(is_active=True).values_list("pk", flat=True)
    )


def test_the_field_home_lists_the_screening_reports_due_from_my_grid(town, monkeypatch):
    from fengqiao.core import clock
    from tests.fixtures.screening import file_zero, open_round

    # the round of 1–15 March 2026, due at the end of Tuesday 17 March
    screening_round = open_round(town)
    monkeypatch.setattr(clock, "now", lambda: shanghai(2026, 3, 10, 10))
    worker = town.user(Role.GRID_WORKER)

    due = client_for(worker).get(reverse("field_home")).context["screenings"]

    assert [(d.title, d.area, d.overdue) for d in due] == [
        (screening_round.title, "东村一网格", False)
    ]
    assert due[0].url == f"/screening/{screening_round.pk}/areas/{town.grid_a1.pk}/"
    after_due = shanghai(2026, 3, 18, 9)
    monkeypatch.setattr(clock, "now", lambda: after_due)
    assert client_for(worker).get(reverse("field_home")).context["screenings"][0].overdue
    file_zero(worker, screening_round, now=after_due)
    assert client_for(worker).get(reverse("field_home")).context["screenings"] == []
