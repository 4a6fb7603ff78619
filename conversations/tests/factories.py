import factory

from conversations.models import Conversation, Turn
from npcs.tests.factories import NPCFactory
from players.tests.factories import PlayerFactory


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    player = factory.SubFactory(PlayerFactory)
    npc = factory.SubFactory(NPCFactory)
    language = factory.SelfAttribute("npc.language")


class TurnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Turn

    conversation = factory.SubFactory(ConversationFactory)
    index = factory.Sequence(lambda n: n)
    transcript = "She don't like apples."
    npc_reply = "Oh, why not? They are sweet."
    language = factory.SelfAttribute("conversation.language")
