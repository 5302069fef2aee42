"""The site's own pages: signing in (one message for every failure, then a lockout), the
language, the home page and menu by role, registering and revealing residents, the
calendar warning."""

import pytest

from fengqiao.audit.models import AuditEvent
from fengqiao.people.models import Person
from tests.fixtures import PASSWORD, make_id_number


def test_pages_need_login(client, town):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_in_chinese_by_default(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "登录" in body


def test_the_language_switch_turns_the_interface_into_english(client, town):
    client.force_login(town.user("leader"))
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Your jurisdiction" in body


def test_the_leader_sees_the_whole_town(client, town, residents):
    client.force_login(town.user("leader"))
    body = client.get("/").content.decode()
    assert "枫桥镇" in body
    assert "东村" in body and "西村" in body


def test_a_grid_worker_sees_only_their_grid(client, town, residents):
    client.force_login(town.user("grid_worker"))
    body = client.get("/").content.decode()
    assert "东村一网格" in body
    assert "西村" not in body
    assert "东村二网格" not in body


def test_navigation_follows_the_role(client, town):
    client.force_login(town.user("grid_worker"))
    body = client.get("/").content.decode()
    assert 'href="/people/new/"' in body
    assert 'href="/admin/"' not in body
    client.force_login(town.user("system_admin"))
    body = client.get("/").content.decode()
    assert 'href="/admin/"' in body
    assert 'href="/people/"' not in body


def register(client, **fields):
    data = {
        "name": "孙七",
        "id_number": "",
        "gender": "",
        "phone": "",
        "address": "",
        "ethnicity": "",
        "occupation": "",
        "area": "",
    }
    data.update(fields)
    return client.post("/people/new/", data)


def test_a_grid_worker_registers_a_resident_of_their_grid(client, town):

    client.force_login(town.user("grid_worker"))
    response = register(
        client, id_number=make_id_number(), phone="13900001111", area=town.unit_a1.pk
    )
    person = Person.objects.get(name="孙七")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "139****1111" in detail
    assert "13900001111" not in detail


def test_bad_input_gets_field_errors_in_chinese_and_saves_nothing(client, town):
    client.force_login(town.user("grid_worker"))
    body = register(
        client, id_number="110105194912310021", phone="12345", area=town.unit_a1.pk
    ).content.decode()
    assert "身份证号码的校验码不正确" in body
    assert "请输入11位手机号码" in body
    assert not Person.objects.exists()


def test_bad_input_errors_follow_the_chosen_language(client, town):
    client.force_login(town.user("grid_worker"))
    client.post("/language/", {"language": "en", "next": "/"})
    body = register(client, id_number="110105194912310021", area=town.unit_a1.pk).content.decode()
    assert "The check digit of this ID number is wrong" in body
    assert not Person.objects.exists()


def test_an_area_outside_the_jurisdiction_cannot_be_chosen(client, town):
    client.force_login(town.user("grid_worker"))
    body = register(client, area=town.unit_b1.pk).content.decode()
    assert "不在您的辖区" in body
    assert not Person.objects.exists()


@pytest.mark.parametrize("role", ["dispatcher", "unit_head", "agency_liaison", "audit_admin"])
def test_roles_without_registration_cannot_open_the_form(client, town, role):
    client.force_login(town.user(role))
    assert client.get("/people/new/").status_code == 403


def test_revealing_a_number_on_the_page(client, town, residents):
    client.force_login(town.user("intake_clerk"))
    person = residents["a1"]
    body = client.post(
        f"/people/{person.pk}/", {"field": "phone", "reason": "回访联系当事人"}
    ).content.decode()
    assert person.phone in body
    body = client.post(f"/people/{person.pk}/", {"field": "phone", "reason": ""}).content.decode()
    assert person.phone not in body


def test_a_grid_worker_cannot_reveal(client, town, residents):
    client.force_login(town.user("grid_worker"))
    person = residents["a1"]
    response = client.post(f"/people/{person.pk}/", {"field": "phone", "reason": "想看看号码"})
    assert response.status_code == 403


def test_the_system_admin_is_warned_when_the_calendar_runs_out(client, town, monkeypatch):
    import datetime as dt

    from fengqiao.core import clock

    # The package knows 2026; on 2026-11-26 the next 60 days reach into 2027.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 26))
    client.force_login(town.user("system_admin"))
    assert "2026-12-31" in client.get("/").content.decode()
    client.force_login(town.user("leader"))
    assert "2026-12-31" not in client.get("/").content.decode()
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 6, 1))
    client.force_login(town.user("system_admin"))
    assert "2026-12-31" not in client.get("/").content.decode()


def test_failed_login_shows_the_same_message_for_real_and_unknown_users(client, town):
    real = client.post(
        "/accounts/login/", {"username": town.user("leader").username, "password": "wrong"}
    ).content.decode()
    unknown = client.post(
        "/accounts/login/", {"username": "ghost", "password": "wrong"}
    ).content.decode()

    def error_of(page):
        start = page.index('class="errors"')
        return page[start : page.index("</div>", start)]

    assert error_of(real) == error_of(unknown)


def test_five_failures_lock_the_username_from_that_address(client, town):
    from django.conf import settings

    user = town.user("leader")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post(
                "/accounts/login/", {"username": user.username, "password": "wrong"}
            ).status_code
            == 200
        )
    locked = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert locked.status_code == 429
    # Even the right password is refused while the lock lasts.
    again = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5


def test_an_unknown_username_is_locked_the_same_way(client, db):
    from django.conf import settings

    responses = [
        client.post("/accounts/login/", {"username": "ghost", "password": "wrong"}).status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert responses[-1] == 429
