"""The inbox: one's own notifications, unread first; marking read, opening, choosing the
channels."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.notify.models import Notification
from fengqiao.notify.services import notification_mark_read
from tests.fixtures import tell

pytestmark = pytest.mark.usefixtures("jobs_immediate")


def test_the_inbox_shows_only_ones_own_unread_first(client, town, mediator):
    old = tell([mediator], key="k:old", title="已读的旧消息")[0]
    notification_mark_read(user=mediator, ids=[old.pk])
    tell([mediator], key="k:new", title="未读的新消息")
    tell([town.user("leader")], key="k:leader", title="领导的消息")
    client.force_login(mediator)

    page = client.get(reverse("notification_inbox")).content.decode()

    assert page.index("未读的新消息") < page.index("已读的旧消息")
    assert "领导的消息" not in page
    assert 'id="inbox-link"' in page and '<span class="tag">1</span>' in page


def test_another_persons_notification_is_not_found(client, town, mediator):
    theirs = tell([town.user("leader")])[0]
    client.force_login(mediator)

    response = client.post(reverse("notification_mark_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_by_htmx_returns_the_item_and_updates_the_badge(client, mediator):
    mine = tell([mediator])[0]
    client.force_login(mediator)

    response = client.post(
        reverse("notification_mark_read", args=[mine.pk]), headers={"HX-Request": "true"}
    )
    badge = client.get(reverse("notification_badge")).content.decode()

    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{mine.pk}"' in response.content.decode()
    assert '<span class="tag">' not in badge


def test_mark_all_read(client, mediator):
    tell([mediator], key="k:1")
    tell([mediator], key="k:2")
    client.force_login(mediator)

    response = client.post(reverse("notification_mark_all_read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=mediator, read_at__isnull=True).exists()


def test_open_marks_read_and_follows_only_local_links(client, mediator):
    local = tell([mediator], key="k:local", link="/people/")[0]
    foreign = tell([mediator], key="k:foreign", link="https://evil.example/")[0]
    client.force_login(mediator)

    assert client.post(reverse("notification_open", args=[local.pk]))["Location"] == "/people/"
    assert client.post(reverse("notification_open", args=[foreign.pk]))["Location"] == reverse(
        "notification_inbox"
    )
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_saving_preferences_from_the_inbox(client, mediator):
    client.force_login(mediator)

    client.post(
        reverse("notification_preferences"),
        {"sms-enabled": "on", "sms-address": "13912345678"},
    )

    choices = dict(mediator.notification_preferences.values_list("channel", "enabled"))
    assert choices == {"email": False, "sms": True}
