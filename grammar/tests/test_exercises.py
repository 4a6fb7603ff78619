from datetime import UTC, datetime, timedelta

import pytest

from grammar.exercises import (
    BLANK,
    ExerciseNotFound,
    exercise_answer_check,
    exercise_get,
    exercises_build,
    review_session_build,
)
from grammar.models import Mistake
from grammar.tests.factories import MistakeFactory, ReviewItemFactory

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EXERCISE_FIELDS = {"id", "type", "question", "instruction", "prompt", "options", "correct_answer", "explanation"}


def _item(player, *, utterance, corrected, original, correction, due_at=NOW, repetitions=0, **fields):
    mistake = MistakeFactory(
        grammar_check__turn__conversation__player=player,
        grammar_check__utterance=utterance,
        grammar_check__corrected_utterance=corrected,
        original=original,
        correction=correction,
        **fields,
    )
    return ReviewItemFactory(mistake=mistake, due_at=due_at, repetitions=repetitions)


def _she_dont(player, **fields):
    return _item(
        player,
        utterance="She don't like apples.",
        corrected="She doesn't like apples.",
        original="don't",
        correction="doesn't",
        **fields,
    )


def _she_go(player, **fields):
    return _item(
        player,
        utterance="She go to school.",
        corrected="She goes to school.",
        original="go",
        correction="goes",
        **fields,
    )


def _only(item, exercise_type):
    return exercise_get(player=item.player, exercise_id=f"{item.id}:{exercise_type}")[1]


@pytest.mark.django_db
def test_fill_in_blank_blanks_the_correction_in_the_corrected_sentence(player):
    item = _she_dont(player)

    exercise = _only(item, "fill_in_blank")

    assert set(exercise) == EXERCISE_FIELDS
    assert exercise["id"] == f"{item.id}:fill_in_blank"
    assert exercise["type"] == "fill_in_blank"
    assert exercise["prompt"] == f"She {BLANK} like apples."
    assert exercise["question"] == f"Fill in the blank.\nShe {BLANK} like apples."
    assert exercise["correct_answer"] == "doesn't"
    assert exercise["options"] == []
    assert exercise["explanation"] == "With she, use doesn't."


@pytest.mark.django_db
def test_the_blank_is_where_the_learner_erred_when_the_word_occurs_twice(player):
    item = _item(
        player,
        utterance="I was at home and she were at work.",
        corrected="I was at home and she was at work.",
        original="were",
        correction="was",
    )

    assert _only(item, "fill_in_blank")["prompt"] == f"I was at home and she {BLANK} at work."


@pytest.mark.django_db
def test_without_a_corrected_utterance_the_span_is_replaced_in_the_original(player):
    item = _item(player, utterance="She go to school.", corrected="", original="go", correction="goes")

    assert _only(item, "fill_in_blank")["prompt"] == f"She {BLANK} to school."
    assert _only(item, "correction")["correct_answer"] == "She goes to school."


@pytest.mark.django_db
def test_multiple_choice_offers_the_correction_the_learners_form_and_a_variant(player):
    item = _she_go(player)

    exercise = _only(item, "multiple_choice")

    assert set(exercise) == EXERCISE_FIELDS
    assert exercise["prompt"] == f"She {BLANK} to school."
    assert exercise["question"].endswith(exercise["prompt"])
    assert exercise["correct_answer"] == "goes"
    assert sorted(exercise["options"]) == ["go", "goes", "going"]


@pytest.mark.django_db
def test_multiple_choice_adds_the_learners_other_forms_of_the_same_category(player):
    item = _she_go(player)
    _she_dont(player, due_at=NOW + timedelta(days=3))
    _item(
        player,
        utterance="I like a apple.",
        corrected="I like an apple.",
        original="a",
        correction="an",
        category="article",
    )

    options = _only(item, "multiple_choice")["options"]

    assert len(options) == 4
    assert set(options) == {"go", "goes", "going", "don't"}


@pytest.mark.django_db
def test_multiple_choice_options_are_shuffled_the_same_way_every_time(player):
    items = [_she_go(player) for _ in range(20)]

    exercises = exercises_build(items=items)

    assert exercises == [_only(item, "multiple_choice") for item in items]
    assert len({exercise["options"].index("goes") for exercise in exercises}) > 1


@pytest.mark.django_db
def test_confusable_words_are_distractors_in_the_answers_case(player):
    item = _item(
        player,
        utterance="Is they at home?",
        corrected="Are they at home?",
        original="Is",
        correction="Are",
    )

    exercise = _only(item, "multiple_choice")

    assert exercise["correct_answer"] == "Are"
    assert sorted(exercise["options"]) == ["Am", "Are", "Is"]


@pytest.mark.django_db
def test_no_multiple_choice_without_enough_distinct_options(player):
    # "don't"/"doesn't" is a pair, and this learner has no other verb forms yet.
    item = _she_dont(player)

    assert exercises_build(items=[item])[0]["type"] == "fill_in_blank"
    with pytest.raises(ExerciseNotFound, match="has no multiple_choice exercise"):
        _only(item, "multiple_choice")


@pytest.mark.django_db
def test_english_inflections_are_not_applied_to_other_languages(player):
    item = _item(
        player,
        utterance="Elle va a école.",
        corrected="Elle va à l'école.",
        original="a école",
        correction="à l'école",
        grammar_check__language="fr",
        category="preposition",
    )

    assert exercises_build(items=[item])[0]["type"] == "fill_in_blank"


@pytest.mark.django_db
def test_correction_asks_for_the_whole_corrected_sentence(player):
    item = _she_dont(player)

    exercise = _only(item, "correction")

    assert exercise["prompt"] == "She don't like apples."
    assert exercise["question"] == "Correct this sentence.\nShe don't like apples."
    assert exercise["correct_answer"] == "She doesn't like apples."
    assert exercise["options"] == []


@pytest.mark.django_db
def test_a_word_to_delete_can_only_be_practised_as_a_correction(player):
    item = _item(
        player, utterance="He very likes it.", corrected="", original="very", correction="", category="extra_word"
    )

    assert [exercise["type"] for exercise in exercises_build(items=[item])] == ["correction"]
    assert _only(item, "correction")["correct_answer"] == "He likes it."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("original", "correction", "explanation"),
    [("goed", "went", 'Say "went", not "goed".'), ("very", "", 'Leave out "very".'), ("", "the", 'Add "the".')],
)
def test_without_the_engines_explanation_the_edit_is_explained(player, original, correction, explanation):
    item = _item(player, utterance="x", corrected="y", original=original, correction=correction, explanation="")

    assert _only(item, "correction")["explanation"] == explanation


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("repetitions", "exercise_type"),
    [(0, "multiple_choice"), (1, "fill_in_blank"), (2, "correction"), (7, "correction")],
)
def test_exercises_get_harder_as_the_item_is_learnt(player, repetitions, exercise_type):
    item = _she_go(player, repetitions=repetitions)

    assert [exercise["type"] for exercise in exercises_build(items=[item])] == [exercise_type]


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("She doesn't like apples.", True),
        ("  she   DOESN\u2019T like apples ", True),
        ("She doesn\u2018t like apples!", True),
        ("She doesn't like apples?!", True),
        ("She don't like apples.", False),
        ("She doesnt like apples.", False),
        ("", False),
    ],
)
def test_answers_ignore_case_spacing_final_punctuation_and_curly_apostrophes(answer, correct):
    assert exercise_answer_check(answer=answer, correct_answer="She doesn't like apples.") is correct


@pytest.mark.django_db
def test_session_takes_due_items_first_then_the_top_categories(player):
    due = _she_go(player, due_at=NOW - timedelta(days=1))
    _she_go(player, due_at=NOW)  # the same slip again: one exercise is enough
    later_verb = _she_dont(player, due_at=NOW + timedelta(days=2), repetitions=1)
    article = _item(
        player,
        utterance="I like a apple.",
        corrected="I like an apple.",
        original="a",
        correction="an",
        category="article",
        due_at=NOW + timedelta(days=1),
        repetitions=1,
    )
    preposition = _item(
        player,
        utterance="I live on Paris.",
        corrected="I live in Paris.",
        original="on",
        correction="in",
        category="preposition",
        due_at=NOW + timedelta(days=1),
    )
    rejected = _she_dont(player, due_at=NOW - timedelta(days=5))
    Mistake.objects.filter(pk=rejected.mistake_id).update(status=Mistake.Status.REJECTED)

    session = review_session_build(player=player, now=NOW, max_exercises=5)

    assert session["player_id"] == player.player_id
    assert session["generated_at"] == "2026-03-02T12:00:00+00:00"
    assert session["top_mistake_categories"] == ["verb_conjugation", "article", "preposition"]
    assert [exercise["id"] for exercise in session["exercises"]] == [
        f"{due.id}:multiple_choice",
        f"{later_verb.id}:fill_in_blank",
        f"{article.id}:fill_in_blank",
        f"{preposition.id}:multiple_choice",
    ]
    assert all(set(exercise) == EXERCISE_FIELDS and exercise["question"] for exercise in session["exercises"])


@pytest.mark.django_db
def test_session_keeps_the_most_overdue_items_up_to_the_cap(player):
    verbs = [("go", "goes"), ("like", "likes"), ("want", "wants"), ("need", "needs"), ("play", "plays")]
    items = [
        _item(
            player,
            utterance=f"She {base} it.",
            corrected=f"She {third_person} it.",
            original=base,
            correction=third_person,
            due_at=NOW - timedelta(days=days_late),
        )
        for days_late, (base, third_person) in enumerate(verbs)
    ]

    session = review_session_build(player=player, now=NOW, max_exercises=3)

    assert [exercise["id"].split(":")[0] for exercise in session["exercises"]] == [
        str(item.id) for item in items[:1:-1]
    ]


@pytest.mark.django_db
def test_session_of_a_learner_without_mistakes_is_empty(player):
    session = review_session_build(player=player, now=NOW)

    assert session["exercises"] == []
    assert session["top_mistake_categories"] == []


@pytest.mark.django_db
def test_session_accepts_another_exercise_builder(player):
    due = _she_go(player)
    seen = []

    def builder(*, items):
        seen.extend(items)
        return []

    assert review_session_build(player=player, now=NOW, build=builder)["exercises"] == []
    assert seen == [due]
