"""Real Chromium (Debian's package) driven by Playwright; nothing leaves localhost."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright

CHROMIUM = os.environ.get("FENGQIAO_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PHONE = {"width": 360, "height": 740}


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def _local_only(route: Route) -> None:
    host = urlparse(route.request.url).hostname
    if host in {"localhost", "127.0.0.1", "::1"}:
        route.continue_()
    else:
        route.abort()


def phone_context(browser: Browser, *, locale: str = "zh-CN") -> BrowserContext:
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale=locale, device_scale_factor=2
    )
    context.route("**/*", _local_only)
    return context
