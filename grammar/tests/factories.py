import factory

from conversations.tests.factories import TurnFactory
from grammar.models import GrammarCheck, Mistake, ReviewItem


class GrammarCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrammarCheck

    turn = factory.SubFactory(TurnFactory)
    player = factory.SelfAttribute("turn.conversation.player")
    utterance = factory.SelfAttribute("turn.transcript")
    language = "en"
    level = "A2"
    engine = "harper"
    status = GrammarCheck.Status.DONE
    corrected_utterance = "She doesn't like apples."


class MistakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mistake

    grammar_check = factory.SubFactory(GrammarCheckFactory)
    player = factory.SelfAttribute("grammar_check.player")
    category = "verb_conjugation"
    original = "don't"
    correction = "doesn't"
    explanation = "With she, use doesn't."
    severity = 3


class ReviewItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewItem

    mistake = factory.SubFactory(MistakeFactory)
    player = factory.SelfAttribute("mistake.player")
    due_at = factory.SelfAttribute("mistake.created_at")
