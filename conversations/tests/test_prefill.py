"""A session can have the model read the NPC's prompt before the first turn (issue 11)."""

import pytest
from channels.db import database_sync_to_async

from conversations.orchestrator import TurnOrchestrator, TurnOutput
from conversations.prompts import npc_prompt_messages
from conversations.services import conversation_start
from conversations.tests.helpers import ScriptedLanguageModel
from engines.scheduling import Priority
from npcs.tests.factories import NPCFactory
from players.tests.factories import PlayerFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_test_db")]


class ModelOnly:
    """Engines with only a language model: prefilling needs nothing else."""

    def __init__(self, model: ScriptedLanguageModel) -> None:
        self.model = model

    def llm(self, name: str | None = None) -> ScriptedLanguageModel:
        return self.model


async def _nothing(_event) -> None:
    return None


async def test_prefill_prompt_has_the_first_prompt_read_before_the_first_turn():
    npc = await database_sync_to_async(NPCFactory)(
        npc_id="baker_pierre", name="Pierre", language="fr", greeting="Bonjour ! Vous désirez ?"
    )
    player = await database_sync_to_async(PlayerFactory)(player_id="learner", proficiency_level="A1")
    conversation = await database_sync_to_async(conversation_start)(player=player, npc=npc, language="fr")
    model = ScriptedLanguageModel([])
    orchestrator = TurnOrchestrator(
        engines=ModelOnly(model),  # type: ignore[arg-type]
        output=TurnOutput(send_event=_nothing, send_audio=_nothing, wants=lambda name: False),
        player=player,
        npc=npc,
        conversation=conversation,
        language="fr",
    )

    orchestrator.prefill_prompt()
    orchestrator.prefill_prompt()  # a second call while the first runs starts nothing more
    assert orchestrator._prefill is not None
    await orchestrator._prefill

    first_turn = npc_prompt_messages(
        npc=npc, language="fr", player_level="A1", utterance="Bonjour", relationship="stranger", world_state=None
    )
    assert len(model.prefilled) == 1
    assert model.prefill_priorities == [Priority.BACKGROUND], "behind every learner's turn"
    # The persona and the example exchange: everything the first turn reads but the learner's words.
    assert [m.role for m in model.prefilled[0]] == ["system", "user", "assistant"]
    assert model.prefilled[0][0].content.startswith(first_turn[0].content.rsplit("\n", 1)[0])
    assert model.prefilled[0][1:] == first_turn[1:-1]
