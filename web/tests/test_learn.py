from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grammar.models import Mistake
from web.tests.conftest import user_named
from web.tests.practice import A_APPLE, DONT, GOED, conversation_with, review_items_of, turn_with

LEARNER_PAGES = ["learn-mistakes", "learn-review", "learn-progress"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", LEARNER_PAGES)
def test_a_learner_page_sends_a_visitor_to_the_login_form(client, page):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={reverse(page)}"


@pytest.mark.django_db
@pytest.mark.parametrize("page", LEARNER_PAGES)
def test_an_account_linked_to_no_player_is_refused_the_learner_pages(client, teacher, page):
    client.force_login(teacher)

    response = client.get(reverse(page))

    assert response.status_code == 403
    assert b"linked to no player" in response.content


@pytest.mark.django_db
def test_mistakes_are_the_learners_own_newest_first_with_the_changed_words_marked(
    learner_client, learner, other_learner, baker
):
    now = timezone.now()
    conversation = conversation_with(player=learner, npc=baker, at=now - timedelta(days=2))
    turn_with(
        conversation=conversation,
        transcript="Yesterday I goed to the market.",
        corrected="Yesterday I went to the market.",
        edits=(GOED,),
        at=now - timedelta(days=2),
    )
    turn_with(
        conversation=conversation,
        transcript="She don't like apples.",
        corrected="She doesn't like apples.",
        edits=(DONT,),
        at=now - timedelta(hours=1),
    )
    theirs = conversation_with(player=other_learner, npc=baker)
    turn_with(conversation=theirs, transcript="I want a apple.", corrected="I want an apple.", edits=(A_APPLE,))

    response = learner_client.get(reverse("learn-mistakes"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("She <del>don&#x27;t</del> like apples") < html.index("Yesterday I <del>goed</del>")
    assert "She <ins>doesn&#x27;t</ins> like apples" in html
    assert "Con «she», usa «doesn&#x27;t»." in html  # the explanation, in the learner's native language
    assert "to Tom" in html
    assert "a apple" not in html


@pytest.mark.django_db
def test_a_rejected_mistake_is_not_shown_to_the_learner(learner_client, learner, baker):
    turn_with(
        conversation=conversation_with(player=learner, npc=baker),
        transcript="She don't like apples.",
        corrected="She doesn't like apples.",
        edits=(DONT,),
    )
    Mistake.objects.update(status=Mistake.Status.REJECTED)

    response = learner_client.get(reverse("learn-mistakes"))

    assert "don&#x27;t" not in response.content.decode()
    assert "No mistakes here" in response.content.decode()


@pytest.mark.django_db
def test_mistakes_filter_by_category_npc_and_date(learner_client, learner, baker, fruit_seller):
    now = timezone.now()
    at_baker = conversation_with(player=learner, npc=baker, at=now - timedelta(days=10))
    turn_with(
        conversation=at_baker,
        transcript="I goed home.",
        corrected="I went home.",
        edits=(GOED,),
        at=now - timedelta(days=10),
    )
    at_market = conversation_with(player=learner, npc=fruit_seller)
    turn_with(conversation=at_market, transcript="She don't know.", corrected="She doesn't know.", edits=(DONT,))

    def shown(**query) -> tuple[bool, bool]:
        html = learner_client.get(reverse("learn-mistakes"), query).content.decode()
        return "<del>goed</del>" in html, "<del>don&#x27;t</del>" in html

    assert shown() == (True, True)
    assert shown(category="tense") == (True, False)
    assert shown(npc="vendor_lucia") == (False, True)
    assert shown(since=(now - timedelta(days=3)).date().isoformat()) == (False, True)
    assert shown(until=(now - timedelta(days=3)).date().isoformat()) == (True, False)


@pytest.mark.django_db
def test_a_review_session_asks_one_exercise_at_a_time_and_reschedules_each_answer(learner_client, learner, baker):
    conversation = conversation_with(player=learner, npc=baker)
    turn_with(
        conversation=conversation,
        transcript="She don't like apples.",
        corrected="She doesn't like apples.",
        edits=(DONT,),
    )
    turn_with(conversation=conversation, transcript="I goed home.", corrected="I went home.", edits=(GOED,))

    first = learner_client.get(reverse("learn-review"))
    exercise = first.context["exercise"]
    assert first.context["number"] == 1 and first.context["total"] == 2
    assert exercise["prompt"] in first.content.decode()

    answered = learner_client.post(
        reverse("learn-review"), {"exercise_id": exercise["id"], "answer": exercise["correct_answer"]}
    )
    assert answered.status_code == 200
    assert "Right!" in answered.content.decode()
    item = next(item for item in review_items_of(learner) if exercise["id"].startswith(f"{item.pk}:"))
    assert item.repetitions == 1 and item.due_at > timezone.now() + timedelta(hours=23)

    second = learner_client.get(reverse("learn-review")).context["exercise"]
    assert second["id"] != exercise["id"]
    wrong = learner_client.post(reverse("learn-review"), {"exercise_id": second["id"], "answer": "something else"})
    assert "Not quite." in wrong.content.decode()
    other = next(item for item in review_items_of(learner) if second["id"].startswith(f"{item.pk}:"))
    assert (other.repetitions, other.lapses) == (0, 1)

    done = learner_client.get(reverse("learn-review"))
    assert done.context["done"] and done.context["correct"] == 1
    assert "Session done: 1 of 2 right" in done.content.decode()


@pytest.mark.django_db
def test_an_htmx_answer_gets_only_the_exercise_back(learner_client, learner, baker):
    turn_with(
        conversation=conversation_with(player=learner, npc=baker),
        transcript="She don't like apples.",
        corrected="She doesn't like apples.",
        edits=(DONT,),
    )
    exercise = learner_client.get(reverse("learn-review")).context["exercise"]

    response = learner_client.post(
        reverse("learn-review"),
        {"exercise_id": exercise["id"], "answer": exercise["correct_answer"]},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card exercise" id="exercise">')
    assert "<html" not in html and "Right!" in html


@pytest.mark.django_db
def test_an_answer_to_an_exercise_not_in_the_learners_session_changes_nothing(
    learner_client, learner, other_learner, baker
):
    theirs = turn_with(
        conversation=conversation_with(player=other_learner, npc=baker),
        transcript="She don't like apples.",
        corrected="She doesn't like apples.",
        edits=(DONT,),
    )
    item = theirs.grammar_check.mistakes.get().review_item
    learner_client.get(reverse("learn-review"))

    response = learner_client.post(
        reverse("learn-review"), {"exercise_id": f"{item.pk}:fill_in_blank", "answer": "doesn't"}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.last_reviewed_at is None


@pytest.mark.django_db
def test_with_nothing_to_review_the_page_says_so(learner_client):
    response = learner_client.get(reverse("learn-review"))

    assert response.context["done"] and response.context["total"] == 0
    assert "Nothing to review" in response.content.decode()


@pytest.mark.django_db
def test_progress_counts_turns_minutes_npcs_and_the_streak_and_charts_mistakes_per_week(
    learner_client, learner, baker, fruit_seller
):
    now = timezone.now()
    today = conversation_with(player=learner, npc=baker, at=now - timedelta(minutes=20), minutes=12)
    turn_with(
        conversation=today,
        transcript="She don't like apples.",
        corrected="She doesn't like apples.",
        edits=(DONT,),
        at=now - timedelta(minutes=15),
    )
    turn_with(conversation=today, transcript="Thank you!", at=now - timedelta(minutes=10))
    yesterday = conversation_with(player=learner, npc=fruit_seller, at=now - timedelta(days=1), minutes=5)
    turn_with(
        conversation=yesterday,
        transcript="I goed home.",
        corrected="I went home.",
        edits=(GOED,),
        at=now - timedelta(days=1),
    )
    # A gap: three days ago does not extend the streak.
    old = conversation_with(player=learner, npc=baker, at=now - timedelta(days=3), minutes=3)
    turn_with(conversation=old, transcript="Hello.", at=now - timedelta(days=3))

    response = learner_client.get(reverse("learn-progress"))

    summary = response.context["summary"]
    assert summary["turns"] == 4
    assert summary["minutes"] == 20
    assert [npc.npc_id for npc in summary["npcs_met"]] == ["vendor_lucia", "baker_01"]
    assert summary["streak_days"] == 2
    chart = response.context["chart"]
    assert len(chart["labels"]) == 8
    totals = {dataset["label"]: sum(dataset["data"]) for dataset in chart["datasets"]}
    assert totals == {"Verb conjugation": 1, "Tense": 1}
    assert 'id="progress-data"' in response.content.decode()


@pytest.mark.django_db
def test_the_learner_pages_show_only_the_signed_in_learners_data(client, learner, other_learner, baker):
    turn_with(conversation=conversation_with(player=other_learner, npc=baker), transcript="Hi.")
    client.force_login(user_named("someone", is_staff=True))
    assert client.get(reverse("learn-progress")).status_code == 403
    client.force_login(learner.user)

    response = client.get(reverse("learn-progress"))

    assert response.context["player"] == learner
    assert response.context["summary"]["turns"] == 0
