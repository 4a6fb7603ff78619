"""Golden prompts: fixed NPC + world state + history give exactly this prompt."""

import pytest

from conversations.prompts import npc_prompt_messages
from npcs.models import NPC, Scene
from players.world_state import HistoryExchange, PlayerWorldState, world_state_apply_event


@pytest.fixture
def pierre():
    # Unsaved rows: the prompt needs only their fields.
    bakery = Scene(scene_id="bakery", name="Bakery", description="A small bakery that smells of fresh bread.")
    return NPC(
        npc_id="baker_pierre",
        name="Pierre",
        language="fr",
        cefr_level="A2",
        emotional_tone="jovial",
        personality="A cheerful Parisian baker.",
        backstory="He opened his bakery twenty years ago.",
        scene=bakery,
    )


GOLDEN_SYSTEM_PROMPT = """\
You are Pierre, a character in a language-learning game. A cheerful Parisian baker.
He opened his bakery twenty years ago.
Your mood: jovial.
You are at the bakery. A small bakery that smells of fresh bread.
Rules:
- Reply only in French.
- Use French at CEFR level A2: common words, short sentences.
- Reply in one to three short sentences, then let the player talk.
- Stay in character as Pierre. Never say you are an AI.
- Never correct the player's grammar or explain language rules; answer what they mean.
Right now:
The player is holding a red apple (price: 1.50 EUR).
The player's current task: buy bread.
Also nearby: Claire.
The player is an acquaintance to you. They are learning French (level A1)."""


def test_golden_prompt(pierre):
    state = PlayerWorldState(
        player_id="learner",
        scene_id="bakery",
        object_in_hand="a red apple (price: 1.50 EUR)",
        nearby_npcs=("baker_pierre", "student_claire"),
        active_quest="buy_bread",
    )
    messages = npc_prompt_messages(
        npc=pierre,
        language="fr",
        player_level="A1",
        utterance="Je voudrais du pain.",
        relationship="acquaintance",
        world_state=state,
        nearby_names=["Claire"],
        history=[HistoryExchange(player_text="Bonjour !", npc_text="Bonjour ! Bienvenue.")],
    )
    assert [(m.role, m.content) for m in messages] == [
        ("system", GOLDEN_SYSTEM_PROMPT),
        ("user", "Bonjour !"),
        ("assistant", "Bonjour ! Bienvenue."),
        ("user", "Je voudrais du pain."),
    ]


def _system_prompt(npc, state) -> str:
    return npc_prompt_messages(npc=npc, language="fr", player_level="A1", utterance="Salut", world_state=state)[
        0
    ].content


@pytest.mark.parametrize(
    ("events", "line"),
    [
        ([("PlayerPickedObject", {"object_id": "a baguette"})], "The player is holding a baguette."),
        (
            [("PlayerPickedObject", {"object_id": "a baguette"}), ("PlayerDroppedObject", {"object_id": "a baguette"})],
            None,
        ),
        ([("QuestStarted", {"quest_id": "find_the_cat"})], "The player's current task: find the cat."),
        ([("QuestStarted", {"quest_id": "find_the_cat"}), ("QuestCompleted", {"quest_id": "find_the_cat"})], None),
        ([("PlayerPickedObject", {"object_id": "a baguette"}), ("SceneChanged", {"scene_id": "market"})], None),
    ],
)
def test_game_events_change_the_prompt(pierre, events, line):
    state = PlayerWorldState(player_id="learner")
    for event_type, payload in events:
        state = world_state_apply_event(state=state, event_type=event_type, payload=payload)
    prompt = _system_prompt(pierre, state)
    world_lines = prompt.split("Right now:\n", 1)[1].splitlines()[:-1]
    assert world_lines == ([line] if line else [])


def test_the_persona_is_a_stable_prefix_across_turns(pierre):
    # The local model keeps the persona in its KV cache only if it does not change between turns.
    before = _system_prompt(pierre, PlayerWorldState(player_id="learner"))
    after = _system_prompt(pierre, PlayerWorldState(player_id="learner", object_in_hand="a baguette"))
    assert after.startswith(before.split("Right now:")[0] + "Right now:")
    assert before != after
