"""Debian's Chromium driven by Playwright (never a downloaded browser), as DESIGN.md starts it."""

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium's own connections are refused on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent: apt-get install -y chromium (.ci/run does)"
)


@contextmanager
def chromium(extra_args: Sequence[str] = ()) -> Iterator:
    """A Chromium with a fresh profile, closed and removed afterwards."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="virtulingo-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], viewport=LAPTOP
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(page, name: str, folder: Path) -> None:
    """Into VIRTULINGO_SCREENSHOTS when set (docs/screenshots for the README), else the test's folder."""
    target = Path(os.environ.get("VIRTULINGO_SCREENSHOTS") or folder)
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)


def screenshot_on_phone(page, name: str, folder: Path) -> None:
    """The same page loaded afresh at a phone's width (as a phone would load it), then back to a laptop's."""
    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, name, folder)
    page.set_viewport_size(LAPTOP)
    page.reload()


def sign_in(page, base_url: str, username: str, password: str, next_path: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base_url}{next_path}")
