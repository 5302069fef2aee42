"""The error pages: in the site's frame and the reader's language, with a way back, never
showing what failed; the 500 page even when the database or a context processor fails."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.roles import Role
from tests.fixtures import FAILURE_SECRET, UserFactory

MENU = '<nav class="mainnav"'


@pytest.fixture
def failing_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --------------------------------------------------------------------------- 404
def test_an_unknown_address_is_a_404_page_in_chinese_with_the_menu(client, town):
    client.force_login(town.user("leader"))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "页面不存在" in page and "工作范围" in page
    assert MENU in page and 'href="/cases/"' in page
    assert "返回首页" in page and 'href="/"' in page
    assert "data-history-back" in page


def test_the_404_page_follows_the_language_the_user_chose(client, town):
    client.force_login(town.user("leader"))

    page = english(client).get("/no-such-page/").content.decode()

    assert '<html lang="en">' in page
    assert "Page not found" in page and "Go to the home page" in page


def test_an_object_outside_the_jurisdiction_is_the_same_404_page(client, town):
    west_grid_worker = UserFactory(
        username="t_west_grid", roles=[Role.GRID_WORKER], home_area=town.grid_b1
    )
    client.force_login(west_grid_worker)

    response = client.get(reverse("area_detail", args=[town.grid_a1.pk]))

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert town.grid_a1.name not in response.content.decode()


def test_a_visitor_not_signed_in_gets_no_menu_but_the_login_link(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert MENU not in page
    assert f'href="{reverse("login")}"' in page


# --------------------------------------------------------------------------- 403
def test_a_page_the_role_does_not_include_is_a_403_page_with_the_menu(client, town):
    # a mediator may not export the case list
    client.force_login(town.user("mediator"))

    response = client.get(reverse("case_export"))

    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "您无权打开此页面" in page and "安全管理员" in page
    assert MENU in page
    assert "返回首页" in page


def test_the_403_page_in_english(client, town):
    client.force_login(town.user("mediator"))

    page = english(client).get(reverse("case_export")).content.decode()

    assert "You may not open this page" in page and "security administrator" in page


def test_a_form_with_a_stale_token_gets_the_sites_own_page(town):
    client = Client(enforce_csrf_checks=True)
    client.force_login(town.user("leader"))

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已失效" in page and MENU in page
    assert "CSRF verification failed" not in page  # Django's own page, with inline style


# --------------------------------------------------------------------------- 500
@pytest.mark.urls("tests.fixtures.error_urls")
def test_a_failure_is_a_500_page_in_the_sites_frame_without_details(failing_client, town):
    failing_client.force_login(town.user("leader"))

    response = failing_client.get("/test-explode/")

    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "系统出错了" in page and "可能没有保存" in page
    assert MENU in page and "返回首页" in page
    assert FAILURE_SECRET not in page and "RuntimeError" not in page and "Traceback" not in page
    assert response["Content-Security-Policy"]


@pytest.mark.urls("tests.fixtures.error_urls")
def test_the_500_page_follows_the_language_the_user_chose(failing_client, town):
    failing_client.force_login(town.user("leader"))

    page = english(failing_client).get("/test-explode/").content.decode()

    assert '<html lang="en">' in page and "Something went wrong on our side" in page


@pytest.mark.urls("tests.fixtures.error_urls")
def test_the_500_page_is_shown_when_a_context_processor_fails(failing_client, town, monkeypatch):
    # given the unread count in the header cannot be read
    from fengqiao.notify import context_processors

    def broken(**kwargs):
        raise DatabaseError("the database is unreachable")

    monkeypatch.setattr(context_processors, "notification_unread_count", broken)
    failing_client.force_login(town.user("leader"))

    response = failing_client.get("/test-explode/")

    # then the plain page, which needs no request context, still says what to do
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "系统出错了" in page and "返回首页" in page
    assert MENU not in page
    assert "unreachable" not in page and FAILURE_SECRET not in page


@pytest.mark.urls("tests.fixtures.error_urls")
def test_the_500_page_is_shown_when_the_database_is_gone(failing_client, town):
    failing_client.force_login(town.user("leader"))

    def unreachable(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(unreachable):
        response = failing_client.get("/test-explode/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错了" in page and '<html lang="zh-hans">' in page
    assert MENU not in page  # who is signed in could not be read: the plain page
    assert "could not connect" not in page and FAILURE_SECRET not in page


# --------------------------------------------------------------------------- the API
def test_the_api_keeps_answering_its_errors_in_json(client, db):
    response = client.get("/api/v1/no-such-endpoint")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["code"] == "not_found"
