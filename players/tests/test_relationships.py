import pytest

from players.models import Relationship
from players.selectors import relationship_describe, relationship_score
from players.services import relationship_apply_turn, relationship_turn_delta


@pytest.mark.parametrize(
    ("utterance", "language", "expected"),
    [
        ("I would like some bread.", "en", 0.01),
        ("Two croissants, please!", "en", 0.04),
        ("Thank you so much", "en", 0.04),
        ("Deux croissants, s'il vous plaît.", "fr", 0.04),
        ("S’IL VOUS PLAIT", "fr", 0.04),
        ("Un café por favor", "es", 0.04),
        ("Danke schön!", "de", 0.04),
        ("You are stupid.", "en", -0.09),
        ("Tais-toi, imbécile !", "fr", -0.09),
        # Politeness is counted in the NPC's language only.
        ("Merci beaucoup", "en", 0.01),
        # Whole words only: "pleased" is not "please", "thanksgiving" is not "thanks".
        ("I am pleased about thanksgiving", "en", 0.01),
        ("Thanks, idiot.", "en", -0.06),
    ],
)
def test_turn_delta(utterance, language, expected):
    assert relationship_turn_delta(utterance=utterance, language=language) == pytest.approx(expected)


@pytest.mark.django_db
def test_turns_accumulate_and_are_clamped(player, npc):
    relationship_apply_turn(player=player, npc=npc, utterance="Hello, please.")
    assert relationship_score(player=player, npc=npc) == pytest.approx(0.04)

    Relationship.objects.filter(player=player, npc=npc).update(score=0.99)
    relationship_apply_turn(player=player, npc=npc, utterance="Thank you!")
    assert relationship_score(player=player, npc=npc) == 1.0

    Relationship.objects.filter(player=player, npc=npc).update(score=-0.95)
    relationship_apply_turn(player=player, npc=npc, utterance="Shut up, you idiot")
    assert relationship_score(player=player, npc=npc) == -1.0


@pytest.mark.django_db
def test_no_relationship_yet_is_neutral(player, npc):
    assert relationship_score(player=player, npc=npc) == 0.0


@pytest.mark.parametrize(
    ("score", "description"),
    [
        (-1.0, "hostile"),
        (-0.3, "wary"),
        (0.0, "stranger"),
        (0.15, "acquaintance"),
        (0.45, "friend"),
        (0.6, "close friend"),
        (1.0, "close friend"),
    ],
)
def test_relationship_description(score, description):
    assert relationship_describe(score=score) == description
