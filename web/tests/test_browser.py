"""What a person does on the pages, in a real browser against the live site (Daphne, DEBUG off)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from web.tests.browser import chromium, requires_chromium, screenshot, screenshot_on_phone, sign_in

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        yield context


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    # A page whose script broke would look fine in a screenshot: fail on it.
    assert errors == []


def test_a_visitor_finds_their_way_from_the_home_page(page, live_site, tmp_path):
    page.goto(live_site.url + "/")
    assert page.locator("#learners h2").inner_text() == "Learners"
    # The site's stylesheet is applied: the header is dark.
    assert page.eval_on_selector("header.site", "e => getComputedStyle(e).backgroundColor") == "rgb(29, 36, 51)"
    screenshot(page, "home", tmp_path)
    screenshot_on_phone(page, "home-phone", tmp_path)
    page.click("#learners a.button")
    assert page.locator("#login-form").is_visible()
    screenshot(page, "login", tmp_path)


def test_a_learner_signs_in_and_does_one_review_exercise(page, live_site, tmp_path):
    sign_in(page, live_site.url, "learner_ana", live_site.passwords["learner_ana"], "/learn/review/")

    assert page.locator("#exercise").inner_text().startswith("Exercise 1 of")
    assert "She ___ like apples." in page.locator("#exercise .prompt").inner_text()
    screenshot(page, "learn-review", tmp_path)
    options = page.locator("input[name=answer][type=radio]")
    if options.count():
        page.check('input[name=answer][value="doesn\'t"]')
    else:
        page.fill("#answer", "doesn't")
    page.click("#exercise button[type=submit]")

    # htmx swaps the feedback in, with the item's new date: tomorrow after a first right answer.
    page.wait_for_selector(".feedback.right")
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert f"Next review of this one: {tomorrow}" in page.locator("#exercise").inner_text()
    assert page.url.endswith("/learn/review/")
    screenshot(page, "learn-review-feedback", tmp_path)
    page.click("#next")
    assert page.locator("#exercise").inner_text().startswith("Exercise 2 of")

    page.goto(live_site.url + "/learn/mistakes/")
    assert page.locator("#mistakes del").first.is_visible()
    screenshot(page, "learn-mistakes", tmp_path)
    screenshot_on_phone(page, "learn-mistakes-phone", tmp_path)
    page.goto(live_site.url + "/learn/progress/")
    # Chart.js drew the weekly chart.
    page.wait_for_function("() => Chart.getChart('progress-chart') !== undefined")
    assert int(page.locator("#streak").inner_text()) == 3
    screenshot(page, "learn-progress", tmp_path)


def test_a_teacher_drills_down_from_the_class_to_a_learner_and_rejects_a_false_positive(page, live_site, tmp_path):
    sign_in(page, live_site.url, "teacher", live_site.passwords["teacher"], "/teach/")
    screenshot(page, "teach-classes", tmp_path)
    page.click("text=Demo class")
    page.wait_for_selector("#learners")
    page.wait_for_function("() => Chart.getChart('class-chart') !== undefined")
    assert "Chloé" in page.locator("#attention").inner_text()  # no practice this week
    # The live socket opened with the teacher's session (and the browser's Origin) under Daphne.
    page.wait_for_function("() => document.getElementById('live-state').textContent === 'live'")
    screenshot(page, "teach-class", tmp_path)
    screenshot_on_phone(page, "teach-class-phone", tmp_path)
    page.wait_for_function("() => Chart.getChart('class-chart') !== undefined")

    page.click("#learners >> text=Ana")
    page.wait_for_selector("#learner-mistakes")
    assert "Mrs Brown: See you on Monday then!" in page.locator("#conversations").inner_text()
    screenshot(page, "teach-learner", tmp_path)
    first = page.locator("#learner-mistakes li.mistake").first
    first.locator("button", has_text="Reject").click()
    page.wait_for_selector("#learner-mistakes li.mistake.rejected")
    assert "rejected as a false positive by teacher" in page.locator("#learner-mistakes li.mistake").first.inner_text()
    page.locator("#learner-mistakes li.mistake.rejected button", has_text="Restore").click()
    page.wait_for_function("() => !document.querySelector('#learner-mistakes li.mistake.rejected')")


def test_an_author_gives_a_scene_its_text_in_each_npc_language(page, live_site, tmp_path):
    page.goto(f"{live_site.url}/admin/login/?next=/admin/npcs/scene/bakery/change/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", live_site.passwords["admin"])
    page.click("#login-form input[type=submit]")
    page.wait_for_selector("#translations-group")
    descriptions = page.locator("#translations-group textarea").evaluate_all("areas => areas.map(a => a.value)")
    assert any(text.startswith("Une petite boulangerie") for text in descriptions)
    assert any(text.startswith("Eine kleine Bäckerei") for text in descriptions)
    screenshot(page, "admin-scene", tmp_path)

    german = page.locator("#translations-group .inline-related", has=page.locator("option[value=de][selected]"))
    german.locator("textarea").fill("Eine kleine Bäckerei am Markt. Die Preise stehen auf einer Kreidetafel.")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert "de, es, fr" in page.locator("#result_list tr", has_text="Bakery").inner_text()
    page.goto(f"{live_site.url}/admin/npcs/scene/bakery/change/")
    saved = page.locator("#translations-group textarea").evaluate_all("areas => areas.map(a => a.value)")
    assert "Eine kleine Bäckerei am Markt. Die Preise stehen auf einer Kreidetafel." in saved
