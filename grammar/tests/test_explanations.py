"""Explanations in the learner's native language: templates for engines that write only their own language."""

import pytest
from asgiref.sync import async_to_sync
from rest_framework.test import APIClient

from conversations.tests.factories import TurnFactory
from engines.config import EngineConfig
from engines.interfaces import GrammarEdit, GrammarResult
from engines.registry import EngineRegistry
from engines.tests.fake_server import FakeServer, Reply, languagetool_a_accent_match
from grammar.explanations import explanation_from_template, grammar_check_explained, grammar_result_explained_in
from grammar.models import Mistake
from grammar.services import grammar_check_turn_retried
from vocabulary.taxonomy import MistakeCategory


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Le verbe ne s'accorde pas : dites « goes » au lieu de « go »."),
        ("es", "El verbo no concuerda: di «goes» en lugar de «go»."),
        ("de", "Die Verbform passt nicht zum Subjekt: sag „goes“ statt „go“."),
        ("en", 'The verb does not agree: say "goes" instead of "go".'),
    ],
)
def test_a_replacement_is_explained_in_each_language(language, expected):
    assert (
        explanation_from_template(category="verb_conjugation", original="go", correction="goes", language=language)
        == expected
    )


def test_additions_and_removals_say_what_to_add_or_leave_out():
    assert explanation_from_template(category="missing_word", original="", correction="to", language="fr") == (
        "Il manque un mot : ajoutez « to »."
    )
    assert explanation_from_template(category="extra_word", original="the", correction="", language="de") == (
        "Hier ist ein Wort zu viel: lass „the“ weg."
    )
    assert explanation_from_template(category="article", original="", correction="", language="es") == (
        "El artículo no es el correcto."
    )


def test_every_category_has_a_sentence_in_every_template_language():
    for language in ("en", "fr", "es", "de"):
        sentences = {
            explanation_from_template(category=category, original="x", correction="y", language=language)
            for category in MistakeCategory.values
        }
        assert len(sentences) == len(MistakeCategory.values), language


def test_an_unknown_category_reads_as_other_and_an_untemplated_language_has_none():
    assert explanation_from_template(category="idiom", original="a", correction="b", language="fr").startswith(
        "Ce n'est pas tout à fait correct"
    )
    assert explanation_from_template(category="tense", original="a", correction="b", language="it") is None


def _harper_result(*edits: GrammarEdit) -> GrammarResult:
    return GrammarResult.from_edits(
        utterance="He go to school and she are late.",
        correction="He goes to school and she is late.",
        edits=edits,
        language="en",
        engine="harper",
    )


GO = GrammarEdit(
    original="go",
    correction="goes",
    category="verb_conjugation",
    explanation="Use the third-person singular form.",
    severity=2,
)
ARE = GrammarEdit(
    original="are",
    correction="is",
    category="verb_conjugation",
    explanation="The verb does not agree with the subject.",
    severity=3,
)


def test_every_edit_and_the_headline_are_rewritten_for_another_native_language():
    result = grammar_result_explained_in(result=_harper_result(GO, ARE), language="fr")

    assert [edit.explanation for edit in result.edits] == [
        "Le verbe ne s'accorde pas : dites « goes » au lieu de « go ».",
        "Le verbe ne s'accorde pas : dites « is » au lieu de « are ».",
    ]
    assert result.explanation == result.edits[1].explanation and result.severity == 3
    assert result.explanation_language == "fr"
    assert (result.correction, result.category, result.engine) == (
        "He goes to school and she is late.",
        "verb_conjugation",
        "harper",
    )


def test_the_engines_own_message_stays_for_its_language_and_for_languages_without_templates():
    original = _harper_result(GO)
    assert grammar_result_explained_in(result=original, language="en") is original
    assert grammar_result_explained_in(result=original, language="it") is original


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("native", "explanation"),
    [("fr", "Le verbe ne s'accorde pas : dites « doesn't » au lieu de « don't »."), ("en", None)],
)
def test_a_check_stores_and_answers_explanations_in_the_learners_native_language(
    player, engines_for_grammar, native, explanation
):
    player.native_language = native
    player.save()

    body = (
        APIClient()
        .post(f"/api/conversations/{player.player_id}/correct", {"utterance": "She don't like apples."}, format="json")
        .json()
    )

    mistake = Mistake.objects.get(player=player)
    assert body["category"] == mistake.category == "verb_conjugation"
    if explanation is None:  # English speaker: Harper's own English message, not a template
        english = {
            edit.explanation
            for edit in engines_for_grammar.grammar_engine("harper").check_sync("She don't like apples.").edits
        }
        assert body["explanation"] == mistake.explanation and mistake.explanation in english
        assert "instead of" not in mistake.explanation
    else:
        assert body["explanation"] == mistake.explanation == explanation


# Transactional: the in-process check runs on its own thread, with its own connection.
@pytest.mark.django_db(transaction=True)
def test_a_turn_checked_in_the_background_explains_in_the_native_language(engines_for_grammar):
    turn = TurnFactory(transcript="She don't like apples.", language="en", conversation__player__native_language="de")

    assert grammar_check_turn_retried(turn.pk)

    mistake = Mistake.objects.get(grammar_check__turn=turn)
    assert mistake.explanation == "Die Verbform passt nicht zum Subjekt: sag „doesn't“ statt „don't“."


def test_harper_through_the_registry_explains_in_french_for_a_french_speaker(engines_for_grammar) -> None:
    def check(explanation_language: str):
        return async_to_sync(grammar_check_explained)(
            registry=engines_for_grammar,
            utterance="She don't like apples.",
            language="en",
            level="A2",
            explanation_language=explanation_language,
        )

    french, english = check("fr"), check("en")

    assert french.engine == "harper" and french.explanation_language == "fr"
    assert french.explanation == "Le verbe ne s'accorde pas : dites « doesn't » au lieu de « don't »."
    harper = engines_for_grammar.grammar_engine("harper").check_sync("She don't like apples.")
    assert english.explanation == harper.explanation and english.explanation_language == "en"


@pytest.mark.parametrize(
    ("native", "explanation"),
    [
        ("en", 'This is not quite right: say "à" instead of "a".'),
        ("de", "Das ist nicht ganz richtig: sag „à“ statt „a“."),
        ("fr", "Confusion possible entre « a » et « à »."),  # LanguageTool's own French message
        ("it", "Confusion possible entre « a » et « à »."),  # no Italian templates: the engine's message
    ],
)
@pytest.mark.asyncio
async def test_languagetool_messages_are_replaced_for_a_learner_with_another_native_language(
    native, explanation
) -> None:
    with FakeServer() as fake_server:
        fake_server.script(Reply(body={"matches": [languagetool_a_accent_match()]}))
        reg = EngineRegistry(EngineConfig(grammar={"*": "languagetool"}, languagetool_url=fake_server.url))
        result = await grammar_check_explained(
            registry=reg,
            utterance="Je suis allé a la plage.",
            language="fr",
            level="A2",
            explanation_language=native,
        )
        reg.shutdown()

    assert result.explanation == result.edits[0].explanation == explanation
    assert ("motherTongue" in fake_server.requests[0].form()) is (native != "fr")
