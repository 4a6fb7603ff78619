"""The author's NPC console in a real browser, against a live site whose engines are loaded:
a typed turn, then a spoken one from a WAV file through Chromium's fake microphone."""

import json
import time
import urllib.error
import urllib.request

import pytest

from conversations.tests.helpers import synthesized_speech
from vocabulary.audio import SPEECH_SAMPLE_RATE, wav_encode
from web.tests.browser import chromium, requires_chromium, screenshot
from web.tests.live_site import live_site_start

pytestmark = [pytest.mark.browser, pytest.mark.models, requires_chromium]

ENGINES_TIMEOUT_SECONDS = 300
TURN_TIMEOUT_MS = 180_000


def wait_for_engines(base_url: str) -> dict:
    deadline = time.monotonic() + ENGINES_TIMEOUT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=30) as response:
                engines = json.load(response)["engines"]
        except urllib.error.HTTPError as error:  # 503 with the report while degraded
            engines = json.load(error)["engines"]
        states = {
            f"{role}:{engine['engine']}": engine["state"]
            for role, items in engines.items()
            if role != "grammar_languages"
            for engine in items
        }
        if not {"not_loaded", "loading"} & set(states.values()) or time.monotonic() > deadline:
            return states
        time.sleep(1)


@pytest.fixture(scope="module")
def talking_site(tmp_path_factory):
    site = live_site_start(tmp_path_factory.mktemp("talking_site"), warm_up_engines=True)
    try:
        states = wait_for_engines(site.url)
        assert set(states.values()) == {"ready"}, states
        yield site
    finally:
        site.server.stop()


@pytest.fixture(scope="module")
def microphone_wav(tmp_path_factory):
    """What the fake microphone says, then silence so that the server hears the turn end (it loops)."""
    speech = synthesized_speech("Good morning! I would like two croissants, please.")
    silence = bytes(2 * SPEECH_SAMPLE_RATE * 2)
    path = tmp_path_factory.mktemp("microphone") / "learner.wav"
    path.write_bytes(wav_encode(pcm=speech + silence, sample_rate=SPEECH_SAMPLE_RATE))
    return path


def test_an_author_talks_to_an_npc_by_text_then_by_voice(talking_site, microphone_wav, tmp_path):
    fake_microphone = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone_wav}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with chromium(fake_microphone) as browser:
        page = browser.new_page()
        page.set_default_timeout(TURN_TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{talking_site.url}/admin/login/?next=/admin/npcs/npc/baker_01/change/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", talking_site.passwords["admin"])
        page.click("#login-form input[type=submit]")
        page.wait_for_selector("#talk-link")
        screenshot(page, "admin-npc", tmp_path)
        page.click("#talk-link")
        page.wait_for_selector("#send:not([disabled])")

        page.fill("#typed-text", "Good morning! Two croissants, please.")
        page.click("#send")
        page.wait_for_selector("body[data-turns='1']")
        log = page.locator("#log").inner_text()
        assert "You: Good morning! Two croissants, please." in log
        assert page.locator("#log .npc").first.inner_text().strip()
        assert int(page.locator("#audio-count").inner_text()) >= 1
        assert "first_audio_ms" in page.locator("#metrics").inner_text()
        screenshot(page, "npc-console", tmp_path)

        clips_after_typing = int(page.locator("#audio-count").inner_text())
        page.click("#mic")
        page.wait_for_function("() => Number(document.body.dataset.turns) >= 2")
        page.click("#mic")
        spoken = page.locator("#log .you").nth(1).inner_text().lower()
        assert "croissant" in spoken or "morning" in spoken, spoken
        page.wait_for_function(
            f"() => Number(document.getElementById('audio-count').textContent) > {clips_after_typing}"
        )
        screenshot(page, "npc-console-spoken", tmp_path)
        assert errors == []
