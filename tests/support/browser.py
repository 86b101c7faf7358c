"""Debian's Chromium driven by Playwright, offline: the real browser the end-to-end tests open
local pages in (scripts/test-deps installs /usr/bin/chromium).

Every request whose scheme is not `file:`, `blob:` or `data:` is aborted and recorded, so a
test asserts that a page attempted no network access at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
LOCAL_SCHEMES = ("file:", "blob:", "data:")
ARGS = [
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
    "--disable-dev-shm-usage",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium (no sandbox when running as root, as in containers)."""
    args = list(ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.stop()


@dataclass
class OfflinePage:
    """A page in an offline context, with what it attempted on the network and said."""

    context: BrowserContext
    page: Page
    network: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def offline_page(
    browser: Browser, width: int = 1440, height: int = 960, timezone_id: str = "UTC"
) -> Iterator[OfflinePage]:
    """A fresh context with the network off; non-local requests are aborted and recorded.
    `timezone_id` is the machine's zone as the page sees it."""
    context = browser.new_context(
        offline=True,
        accept_downloads=True,
        viewport={"width": width, "height": height},
        locale="fr-FR",
        timezone_id=timezone_id,
        service_workers="block",
    )
    page = context.new_page()
    state = OfflinePage(context, page)

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            _seen(state, url)
            route.abort("internetdisconnected")

    context.route("**/*", guard)
    context.on("request", lambda r: _seen(state, r.url))
    page.on("console", lambda m: state.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: state.errors.append(str(e)))
    try:
        yield state
    finally:
        context.close()


def _seen(state: OfflinePage, url: str) -> None:
    """Record a non-local request once (the route and the `request` event both see most)."""
    if not url.startswith(LOCAL_SCHEMES) and url not in state.network:
        state.network.append(url)
