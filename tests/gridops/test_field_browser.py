"""The field pages on a phone in real Chromium: they fit a 360 px screen with finger-sized
targets, and what a grid worker captures with no network (a quick report and a log entry,
each with a photo) survives a reload from the service worker's copy and reaches the server
exactly once when the network returns; a refused item keeps its data and says why."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, Channel, Kind
from fengqiao.gridops.models import Finding, LogEntry
from tests.fixtures import (
    SCREENSHOTS,
    chromium,
    field_town,
    fits_the_phone,
    log_in,
    phone_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELD_PAGES = ["/field/", "/field/report/", "/field/log/new/"]
# Every target a finger may need on the page: links, buttons, fields, and the labels that
# stand for a hidden radio, check box or file input.
SMALL_TARGETS = """
() => {
  const small = [];
  const shown = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden" && style.opacity !== "0";
  };
  const nodes = document.querySelectorAll(
    "a[href], button, select, textarea, summary, input:not([type=hidden])");
  for (const node of nodes) {
    let target = node;
    if (node.tagName === "INPUT" && ["checkbox", "radio", "file"].includes(node.type)) {
      target = node.closest("label") || (node.labels && node.labels[0]) || node;
    }
    if (!shown(target)) continue;
    const box = target.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      const name = (target.textContent || target.name || "").trim().slice(0, 20);
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${target.tagName.toLowerCase()}.${target.className} "${name}" ${size}`);
    }
  }
  return small;
}
"""
OUTBOX_COUNT = "#outbox-count"


def photo_bytes(colour: str, size: tuple[int, int] = (2400, 1800)) -> bytes:
    """A real photo-sized image, larger than the phone keeps (its longest side is 1600)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


def watched(context):
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.type}: {message.text} {message.location}")
            if message.type == "error"
            else None
        ),
    )
    return page, problems


def kept_pages(page) -> list[str]:
    return page.evaluate(
        """async () => {
          const names = await caches.keys();
          const urls = [];
          for (const name of names) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
          }
          return urls;
        }"""
    )


def wait_for_the_service_worker(page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(
        """async (pages) => {
          const names = await caches.keys();
          for (const name of names) {
            const cache = await caches.open(name);
            const kept = (await cache.keys()).map((r) => new URL(r.url).pathname);
            if (pages.every((p) => kept.includes(p))) return true;
          }
          return false;
        }""",
        arg=FIELD_PAGES,
        timeout=15000,
    )


def waiting(page) -> int:
    return int(page.inner_text(OUTBOX_COUNT))


def wait_until_waiting(page, count: int, timeout: int = 10000) -> None:
    # A function, not an expression: the page's policy forbids evaluating strings.
    page.wait_for_function(
        "([selector, count]) => document.querySelector(selector).textContent === count",
        arg=[OUTBOX_COUNT, str(count)],
        timeout=timeout,
    )


def test_the_field_pages_fit_the_phone_with_finger_sized_targets(live_server, browser):
    town = field_town()
    context = phone_context(browser)
    page, problems = watched(context)
    log_in(page, live_server.url, town.user(Role.GRID_WORKER).username)

    # a grid worker lands on the field home
    assert page.url == f"{live_server.url}/field/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path, name in zip(FIELD_PAGES, ["field-home", "field-report", "field-log"], strict=True):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("#outbox-status")
        assert fits_the_phone(page), path
        assert page.evaluate(SMALL_TARGETS) == [], path
        page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True)
    # the folded categories and the settlement fields, opened, fit too
    page.goto(f"{live_server.url}/field/report/")
    if page.query_selector("details.more-choices"):
        page.click("details.more-choices > summary")
        assert page.evaluate(SMALL_TARGETS) == []
    page.goto(f"{live_server.url}/field/log/new/")
    page.click("label[for=id_settled_on_spot]")
    assert fits_the_phone(page) and page.evaluate(SMALL_TARGETS) == []
    assert problems == []
    context.close()


def capture_a_report(page, base: str) -> None:
    page.goto(f"{base}/field/report/")
    page.click("label.choice-button:has(input[name=kind][value=hazard])")
    page.click("fieldset[data-field=category_id] label.choice-button >> nth=0")
    page.set_input_files(
        "#id_photo_input",
        files=[{"name": "路灯.png", "mimeType": "image/png", "buffer": photo_bytes("orange")}],
    )
    page.wait_for_selector(".photo-thumb img")
    page.click("[data-locate]")
    page.wait_for_selector("[data-position-status]:has-text('位置已获取')")
    page.fill("#id_text", "东村1组路灯坏了三盏，晚上看不见路。")
    page.click("form[data-capture] button[type=submit]")


def capture_a_log_entry(
    page, base: str, *, text: str = "走访1组，发现楼道堆放电动车电池。"
) -> None:
    page.goto(f"{base}/field/log/new/")
    page.wait_for_selector("label.choice-button:has(input[name=activity_ids])")
    page.click("label.choice-button:has(input[name=activity_ids]) >> nth=0")
    page.click(f"label.choice-button:has(input[name=finding][value={Finding.HAZARD}])")
    page.fill("#id_text", text)
    page.set_input_files(
        "#id_photo_input",
        files=[{"name": "楼道.png", "mimeType": "image/png", "buffer": photo_bytes("gray")}],
    )
    page.wait_for_selector(".photo-thumb img")
    page.click("form[data-capture] button[type=submit]")


def test_captured_offline_sent_once_when_the_network_returns(live_server, browser):
    town = field_town()
    worker = town.user(Role.GRID_WORKER)
    base = live_server.url
    context = phone_context(browser)
    context.grant_permissions(["geolocation"], origin=base)
    context.set_geolocation({"latitude": 40.6571, "longitude": 109.8403, "accuracy": 12})
    page, problems = watched(context)
    log_in(page, base, worker.username)
    wait_for_the_service_worker(page)

    # no network: a quick report and a log entry, each with a photo
    context.set_offline(True)
    capture_a_report(page, base)
    wait_until_waiting(page, 1)
    capture_a_log_entry(page, base)
    wait_until_waiting(page, 2)
    assert page.is_visible("#net-status")
    page.screenshot(path=str(SCREENSHOTS / "field-offline-waiting-360.png"), full_page=True)

    # the page reloads from the service worker's copy, and still knows what waits
    page.reload()
    page.wait_for_selector("#outbox-list li")
    assert waiting(page) == 2
    assert page.is_visible("form[data-capture=log]")
    page.goto(f"{base}/field/")
    page.wait_for_selector("#outbox-list li")
    assert waiting(page) == 2 and page.is_visible(".big-button.report")
    assert page.is_visible("#rendered-at.stale")
    # a page the service worker does not keep is its offline page: the network is gone
    page.goto(f"{base}/logs/")
    assert "此页面需要网络" in page.inner_text("main")
    page.goto(f"{base}/field/")
    page.wait_for_selector("#outbox-list li")
    assert not Case.objects.exists() and not LogEntry.objects.exists()

    # the network returns: each is sent once, and leaves the phone
    context.set_offline(False)
    wait_until_waiting(page, 0, timeout=20000)
    assert page.inner_text("#outbox-sent").count("已上报") == 1
    # the to-do drawn offline is fetched again once the entry is in
    page.wait_for_selector(".todo-log.done")
    page.screenshot(path=str(SCREENSHOTS / "field-sent-360.png"), full_page=True)
    # the network comes and goes again: nothing is left to send twice
    assert page.is_hidden("#outbox-send")
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.reload()
    page.wait_for_selector("#outbox-status")

    case = Case.objects.get()
    assert (case.kind, case.channel) == (Kind.HAZARD, Channel.GRID_REPORT)
    assert case.title == "东村1组路灯坏了三盏"
    assert (float(case.latitude), float(case.longitude)) == (40.6571, 109.8403)
    (attachment,) = case.attachments.all()
    assert attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as stored:
        assert max(Image.open(stored).size) == 1600
    entry = LogEntry.objects.get()
    assert (entry.author, entry.finding, entry.area) == (worker, Finding.HAZARD, town.grid_a1)
    assert entry.activities.count() == 1
    (photo,) = entry.photos.all()
    assert photo.content_type == "image/jpeg" and photo.original_name == "楼道.jpg"
    assert problems == []
    context.close()


def test_a_refused_item_keeps_its_data_and_says_why(live_server, browser):
    town = field_town()
    base = live_server.url
    context = phone_context(browser)
    page, _problems = watched(context)
    log_in(page, base, town.user(Role.GRID_WORKER).username)
    page.goto(f"{base}/field/log/new/")

    # an entry dated tomorrow: the server refuses it
    tomorrow = (dt.datetime.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_occurred_at", tomorrow)
    capture_a_log_entry_here(page, text="补记：走访2组。")
    page.wait_for_selector("#outbox-list li.refused")
    item = page.inner_text("#outbox-list li.refused")
    assert "未被受理" in item and "日志时间不能晚于现在" in item
    assert waiting(page) == 1 and not LogEntry.objects.exists()
    page.screenshot(path=str(SCREENSHOTS / "field-refused-360.png"), full_page=True)

    # correcting it brings back everything captured, photo included; then it is sent
    page.click("#outbox-list li.refused a[data-edit]")
    page.wait_for_selector("[data-field=occurred_at].has-error")
    assert page.input_value("#id_text") == "补记：走访2组。"
    assert page.query_selector_all(".photo-thumb img") and page.is_checked(
        f"input[name=finding][value={Finding.HAZARD}]"
    )
    page.fill("#id_occurred_at", dt.datetime.now().strftime("%Y-%m-%dT%H:%M"))
    page.click("form[data-capture] button[type=submit]")
    wait_until_waiting(page, 0)
    entry = LogEntry.objects.get()
    assert entry.text == "补记：走访2组。" and entry.photos.count() == 1
    context.close()


def capture_a_log_entry_here(page, *, text: str) -> None:
    """The entry form already open: fill it and save (the date as set)."""
    page.click("label.choice-button:has(input[name=activity_ids]) >> nth=0")
    page.click(f"label.choice-button:has(input[name=finding][value={Finding.HAZARD}])")
    page.fill("#id_text", text)
    page.set_input_files(
        "#id_photo_input",
        files=[{"name": "走访.png", "mimeType": "image/png", "buffer": photo_bytes("green")}],
    )
    page.wait_for_selector(".photo-thumb img")
    page.click("form[data-capture] button[type=submit]")
