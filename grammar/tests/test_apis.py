from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from grammar.models import GrammarCheck, Mistake
from grammar.tests.factories import MistakeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_correct_checks_stores_and_answers_in_the_protocol_shape(api, player, engines_for_grammar):
    response = api.post(
        f"/api/conversations/{player.player_id}/correct", {"utterance": "She don't like apples."}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["mistake_found"] is True and body["category"] == "verb_conjugation"
    assert body["original"] == "She don't like apples." and body["correction"] == "She doesn't like apples."
    assert isinstance(body["severity"], int) and body["edits"][0]["category"] == "verb_conjugation"
    check = GrammarCheck.objects.get(player=player, turn=None)
    assert check.status == GrammarCheck.Status.DONE and check.mistakes.count() == len(body["edits"])


def test_correct_in_a_language_without_engine_is_unavailable_not_invented(api, player, engines_for_grammar):
    response = api.post(
        f"/api/conversations/{player.player_id}/correct",
        {"utterance": "Yo soy ir a la tienda.", "language": "es"},
        format="json",
    )
    body = response.json()
    assert body["status"] == "unavailable" and body["mistake_found"] is False and body["edits"] == []
    assert not Mistake.objects.exists()


def test_french_is_checked_offline_by_grammalecte_and_explained_in_the_native_language(
    api, player, engines_for_grammar
):
    engine, reason = engines_for_grammar.grammar_for("fr")
    if engine is None:
        pytest.skip(f"no French checker here: {reason}")
    response = api.post(
        f"/api/conversations/{player.player_id}/correct",
        {"utterance": "Je suis allé au boulangerie.", "language": "fr"},
        format="json",
    )
    body = response.json()
    assert body["status"] == "done" and body["mistake_found"] is True
    assert body["correction"] == "Je suis allé à la boulangerie."
    assert body["category"] == "gender_agreement"
    # The player's native language is Spanish: the template, not Grammalecte's French message.
    assert player.native_language == "es"
    assert body["explanation"] == "El género no concuerda: di «à la» en lugar de «au»."
    assert Mistake.objects.get().category == "gender_agreement"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "utterance"), ({"utterance": "x" * 1001}, "utterance"), ({"utterance": "Hi", "language": "xx"}, "language")],
)
def test_correct_validation_errors_name_the_field(api, player, payload, field):
    response = api.post(f"/api/conversations/{player.player_id}/correct", payload, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]


def test_mistakes_are_counted_by_category_most_frequent_first(api):
    first = MistakeFactory(category="article", original="a", correction="an")
    player = first.player
    MistakeFactory(
        grammar_check__turn__conversation__player=player,
        player=player,
        category="article",
        original="the",
        correction="a",
    )
    MistakeFactory(
        grammar_check__turn__conversation__player=player,
        player=player,
        category="preposition",
        original="in",
        correction="on",
    )
    rejected = MistakeFactory(
        grammar_check__turn__conversation__player=player,
        player=player,
        category="spelling",
        original="aple",
        correction="apple",
    )
    rejected.status = Mistake.Status.REJECTED
    rejected.save()
    old = MistakeFactory(
        grammar_check__turn__conversation__player=player,
        player=player,
        category="tense",
        original="go",
        correction="went",
    )
    Mistake.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))

    everything = api.get(f"/api/conversations/{player.player_id}/mistakes").json()
    recent = api.get(f"/api/conversations/{player.player_id}/mistakes", {"days": 7}).json()

    assert everything == [
        {"category": "article", "count": 2},
        {"category": "preposition", "count": 1},
        {"category": "tense", "count": 1},
    ]
    assert recent == [{"category": "article", "count": 2}, {"category": "preposition", "count": 1}]
    assert api.get(f"/api/conversations/{player.player_id}/mistakes", {"days": 0}).status_code == 400


def test_review_generate_check_and_answer(api):
    mistake = MistakeFactory(
        category="verb_conjugation",
        original="goed",
        correction="went",
        grammar_check__utterance="I goed home.",
        grammar_check__corrected_utterance="I went home.",
    )
    from grammar.review import review_item_create_for_mistake

    review_item_create_for_mistake(mistake=mistake)
    player_id = mistake.player.player_id

    session = api.post(f"/api/review/{player_id}/generate").json()
    exercise = session["exercises"][0]
    assert session["player_id"] == player_id and exercise["question"] and exercise["type"]
    assert api.post("/api/review/check", {"player_id": player_id, "active_minutes": 1}, format="json").json() == {
        "trigger_review": False
    }

    answer = api.post(
        f"/api/review/{player_id}/answer",
        {"exercise_id": exercise["id"], "answer": exercise["correct_answer"]},
        format="json",
    ).json()
    assert answer["correct"] is True and answer["next_due"] > timezone.now().isoformat()
    missing = api.post(
        f"/api/review/{player_id}/answer", {"exercise_id": "999999:correction", "answer": "x"}, format="json"
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
