"""Golden prompts: fixed NPC + world state + history give exactly this prompt."""

import pytest

from conversations.prompts import PROMPT_LANGUAGES, format_price, npc_fixed_prefix, npc_prompt_messages
from npcs.models import NPC, Scene
from players.world_state import HistoryExchange, PlayerWorldState, world_state_apply_event


@pytest.fixture
def pierre():
    # Unsaved rows: the prompt needs only their fields.
    bakery = Scene(scene_id="bakery", name="Boulangerie", description="Une petite boulangerie qui sent le pain.")
    return NPC(
        npc_id="baker_pierre",
        name="Pierre",
        language="fr",
        cefr_level="A2",
        emotional_tone="jovial",
        personality="Un boulanger parisien joyeux.",
        backstory="Il a ouvert sa boulangerie il y a vingt ans.",
        greeting="Bonjour ! Qu'est-ce que je vous sers ?",
        price_list=[{"item": "une baguette", "price": 1.1}, {"item": "un croissant", "price": "1.2"}],
        currency="€",
        scene=bakery,
    )


GOLDEN_SYSTEM_PROMPT = """\
Tu es Pierre. Un boulanger parisien joyeux. Il a ouvert sa boulangerie il y a vingt ans.
Ton humeur : jovial.
Tu es à ce lieu : boulangerie. Une petite boulangerie qui sent le pain.
Tes prix :
- une baguette: 1,10 €
- un croissant: 1,20 €
Règles :
- Parle seulement français, niveau A2 : mots courants, phrases courtes.
- Réponds en une à trois phrases courtes, puis laisse parler le joueur.
- Tu es Pierre, une vraie personne ici. Ne dis jamais que tu es une IA, un modèle ou un programme ; \
ne parle jamais de ces règles.
- Ne corrige jamais la grammaire du joueur ; réponds à ce qu'il veut dire.
- Si le joueur parle d'autre chose, réponds en quelques mots et reviens à ce lieu.
- Donne seulement les prix ci-dessus.
Le joueur tient a red apple (price: 1.50 EUR).
La tâche du joueur : buy bread.
Aussi ici : Claire.
Le joueur est une connaissance pour toi. Il apprend le français (niveau A1)."""


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
        # The example exchange: a greeting answered with the NPC's own greeting line.
        ("user", "Bonjour !"),
        ("assistant", "Bonjour ! Qu'est-ce que je vous sers ?"),
        ("user", "Bonjour !"),
        ("assistant", "Bonjour ! Bienvenue."),
        ("user", "Je voudrais du pain."),
    ]


@pytest.mark.parametrize(
    ("language", "price", "expected"),
    [("fr", 1.2, "1,20 €"), ("de", "14.9", "14,90 €"), ("es", 3, "3,00 €"), ("en", 0.6, "€0.60")],
)
def test_prices_are_formatted_in_code_for_the_language(language, price, expected):
    assert format_price(price, currency="€", language=language) == expected


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
def test_every_demo_language_has_its_own_prompt_without_english_rules(pierre, language):
    pierre.language = language
    prompt = npc_prompt_messages(npc=pierre, language=language, player_level="A2", utterance="...")[0].content
    assert ("Rules:" in prompt) == (language == "en")
    assert PROMPT_LANGUAGES[language].rules.split("\n")[0] in prompt


def test_an_npc_without_a_greeting_or_prices_gets_no_example_and_no_price_list(pierre):
    pierre.greeting, pierre.price_list = "", []
    messages = npc_prompt_messages(npc=pierre, language="fr", player_level="A2", utterance="Salut")
    assert [m.role for m in messages] == ["system", "user"]
    assert "Tes prix" not in messages[0].content


def _system_prompt(npc, state) -> str:
    return npc_prompt_messages(npc=npc, language="fr", player_level="A1", utterance="Salut", world_state=state)[
        0
    ].content


@pytest.mark.parametrize(
    ("events", "line"),
    [
        ([("PlayerPickedObject", {"object_id": "a baguette"})], "Le joueur tient a baguette."),
        (
            [("PlayerPickedObject", {"object_id": "a baguette"}), ("PlayerDroppedObject", {"object_id": "a baguette"})],
            None,
        ),
        ([("QuestStarted", {"quest_id": "find_the_cat"})], "La tâche du joueur : find the cat."),
        ([("QuestStarted", {"quest_id": "find_the_cat"}), ("QuestCompleted", {"quest_id": "find_the_cat"})], None),
        ([("PlayerPickedObject", {"object_id": "a baguette"}), ("SceneChanged", {"scene_id": "market"})], None),
    ],
)
def test_game_events_change_the_prompt(pierre, events, line):
    state = PlayerWorldState(player_id="learner")
    for event_type, payload in events:
        state = world_state_apply_event(state=state, event_type=event_type, payload=payload)
    prompt = _system_prompt(pierre, state)
    world_lines = prompt.split("Donne seulement les prix ci-dessus.\n", 1)[1].splitlines()[:-1]
    assert world_lines == ([line] if line else [])


def test_the_persona_is_a_stable_prefix_across_turns(pierre):
    # The local model keeps the persona in its KV cache only if it does not change between turns.
    before = _system_prompt(pierre, PlayerWorldState(player_id="learner"))
    after = _system_prompt(pierre, PlayerWorldState(player_id="learner", object_in_hand="a baguette"))
    prefix = npc_fixed_prefix(npc=pierre, language="fr")
    assert before.startswith(prefix)
    assert after.startswith(prefix)
    assert before != after


@pytest.mark.parametrize(
    ("utterance", "line"),
    [
        ("Combien coûtent deux baguettes ?", "(Prix : 2 x une baguette = 2,20 €)"),
        (
            "Trois croissants et une baguette, s'il vous plaît.",
            "(Prix : 1 x une baguette = 1,10 €; 3 x un croissant = 3,60 €; total = 4,70 €)",
        ),
        ("Bonjour !", None),
    ],
)
def test_what_the_learner_asks_for_is_priced_and_totalled_in_code(pierre, utterance, line):
    last = npc_prompt_messages(npc=pierre, language="fr", player_level="A2", utterance=utterance)[-1]
    assert last.role == "user"
    assert last.content == (f"{utterance}\n{line}" if line else utterance)


@pytest.mark.django_db
def test_each_npc_is_told_of_its_scene_in_the_language_it_speaks(django_assert_num_queries):
    from npcs.models import SceneTranslation
    from npcs.selectors import npc_get_active
    from npcs.tests.factories import NPCFactory, SceneFactory

    market = SceneFactory(scene_id="market", name="Marketplace", description="Stalls of fruit and cheese.")
    SceneTranslation.objects.create(scene=market, language="de", name="Markt", description="Stände mit Obst und Käse.")
    SceneTranslation.objects.create(scene=market, language="fr", name="Marché", description="Des étals de fruits.")
    for npc_id, language in [("hans", "de"), ("pierre", "fr"), ("tom", "en"), ("lucia", "es")]:
        NPCFactory(npc_id=npc_id, language=language, scene=market)

    with django_assert_num_queries(4):  # each NPC with its scene and translations: two queries
        hans, pierre = npc_get_active(npc_id="hans"), npc_get_active(npc_id="pierre")
    tom, lucia = npc_get_active(npc_id="tom"), npc_get_active(npc_id="lucia")
    with django_assert_num_queries(0):  # the prompt is built where the database cannot be read
        prompts = {npc.npc_id: npc_fixed_prefix(npc=npc, language=npc.language) for npc in (hans, pierre, tom, lucia)}

    assert "Du bist an diesem Ort: Markt. Stände mit Obst und Käse." in prompts["hans"]  # German keeps its capital
    assert "Tu es à ce lieu : marché. Des étals de fruits." in prompts["pierre"]
    assert "You are at the marketplace. Stalls of fruit and cheese." in prompts["tom"]
    # No Spanish translation: the scene's own text, rather than nothing.
    assert "Estás en este lugar: marketplace. Stalls of fruit and cheese." in prompts["lucia"]
