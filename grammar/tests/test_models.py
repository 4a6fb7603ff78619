import pytest
from django.db import IntegrityError, transaction

from grammar.models import GrammarCheck, Mistake
from grammar.tests.factories import GrammarCheckFactory, MistakeFactory


@pytest.mark.django_db
def test_grammar_check_is_unique_per_turn():
    check = GrammarCheckFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        GrammarCheck.objects.create(player=check.player, turn=check.turn, utterance=check.utterance, language="en")
    assert GrammarCheck.objects.filter(turn=check.turn).count() == 1


@pytest.mark.django_db
def test_checks_without_a_turn_are_not_limited(player):
    # REST checks have no turn: many of them may exist for one player.
    for utterance in ["I goed home.", "He go to school."]:
        GrammarCheck.objects.create(player=player, utterance=utterance, language="en")
    assert GrammarCheck.objects.filter(player=player, turn=None).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("severity", [0, 6])
def test_mistake_severity_must_be_between_1_and_5(severity):
    check = GrammarCheckFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MistakeFactory(grammar_check=check, severity=severity)
    assert not Mistake.objects.exists()


@pytest.mark.django_db
def test_the_same_error_is_stored_once_per_check():
    mistake = MistakeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MistakeFactory(grammar_check=mistake.grammar_check)
    MistakeFactory(grammar_check=mistake.grammar_check, category="spelling", original="aples", correction="apples")
    assert mistake.grammar_check.mistakes.count() == 2
