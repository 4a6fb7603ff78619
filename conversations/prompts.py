"""The NPC's prompt: every template the language model sees lives here.

The system prompt names the language ("French", not "fr"), keeps replies short and
in character, and never corrects grammar (the grammar pipeline does that). What
changes from turn to turn (world state, relationship) comes last, so the stable
persona stays a cached prefix of the local model's context between turns.
"""

from collections.abc import Sequence

from engines.interfaces import ChatMessage
from npcs.models import NPC
from players.world_state import HistoryExchange, PlayerWorldState
from vocabulary.languages import language_name

PERSONA_TEMPLATE = """\
You are {name}, a character in a language-learning game. {personality}
{backstory}
Your mood: {tone}.
{scene}
Rules:
- Reply only in {language}.
- Use {language} at CEFR level {npc_level}: common words, short sentences.
- Reply in one to three short sentences, then let the player talk.
- Stay in character as {name}. Never say you are an AI.
- Never correct the player's grammar or explain language rules; answer what they mean.
Right now:
{world}\
The player is {relationship_article} {relationship} to you. They are learning {language} (level {player_level})."""

SCENE_TEMPLATE = "You are at the {scene_name}. {scene_description}"
NO_SCENE = "You are somewhere in town."
HOLDING_TEMPLATE = "The player is holding {object}.\n"
QUEST_TEMPLATE = "The player's current task: {quest}.\n"
NEARBY_TEMPLATE = "Also nearby: {names}.\n"


def npc_system_prompt(
    *,
    npc: NPC,
    language: str,
    player_level: str,
    relationship: str = "stranger",
    world_state: PlayerWorldState | None = None,
    nearby_names: Sequence[str] = (),
) -> str:
    scene = (
        SCENE_TEMPLATE.format(scene_name=npc.scene.name.lower(), scene_description=npc.scene.description)
        if npc.scene
        else NO_SCENE
    )
    return PERSONA_TEMPLATE.format(
        name=npc.name,
        personality=npc.personality.strip(),
        backstory=npc.backstory.strip(),
        tone=npc.emotional_tone,
        scene=scene,
        world=_world_lines(world_state=world_state, nearby_names=nearby_names),
        relationship_article="an" if relationship[0] in "aeiou" else "a",
        relationship=relationship,
        language=language_name(language),
        player_level=player_level,
        npc_level=npc.cefr_level,
    )


def _world_lines(*, world_state: PlayerWorldState | None, nearby_names: Sequence[str]) -> str:
    if world_state is None:
        return ""
    lines = ""
    if world_state.object_in_hand:
        lines += HOLDING_TEMPLATE.format(object=world_state.object_in_hand)
    if world_state.active_quest:
        lines += QUEST_TEMPLATE.format(quest=world_state.active_quest.replace("_", " "))
    if nearby_names:
        lines += NEARBY_TEMPLATE.format(names=", ".join(nearby_names))
    return lines


def npc_prompt_messages(
    *,
    npc: NPC,
    language: str,
    player_level: str,
    utterance: str,
    relationship: str = "stranger",
    world_state: PlayerWorldState | None = None,
    nearby_names: Sequence[str] = (),
    history: Sequence[HistoryExchange] = (),
) -> list[ChatMessage]:
    """System prompt, the recent exchanges (oldest first), then what the learner just said."""
    messages = [
        ChatMessage(
            role="system",
            content=npc_system_prompt(
                npc=npc,
                language=language,
                player_level=player_level,
                relationship=relationship,
                world_state=world_state,
                nearby_names=nearby_names,
            ),
        )
    ]
    for exchange in history:
        messages.append(ChatMessage(role="user", content=exchange.player_text))
        messages.append(ChatMessage(role="assistant", content=exchange.npc_text))
    messages.append(ChatMessage(role="user", content=utterance))
    return messages
