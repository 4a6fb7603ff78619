from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from npcs.models import NPC, Scene, SceneTranslation
from players.models import Classroom, Player
from players.services import player_authenticate


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _printed_tokens(output: str) -> dict[str, str]:
    return {
        line.split()[1].rstrip(":"): line.rsplit(" ", 1)[1]
        for line in output.splitlines()
        if line.startswith("Player ") and ": token " in line and "unchanged" not in line
    }


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_world():
    output = _seed()
    npc_ids = set(NPC.objects.values_list("npc_id", flat=True))
    assert {"baker_01", "baker_pierre", "student_claire", "officer_dubois", "cashier_brown"} <= npc_ids
    assert len(npc_ids) >= 6
    assert {"en", "es", "fr", "de"} <= set(NPC.objects.values_list("language", flat=True))
    assert {"bakery", "supermarket", "coffee_shop", "marketplace", "restaurant"} <= set(
        Scene.objects.values_list("scene_id", flat=True)
    )
    # Every demo NPC is told of its scene in the language it speaks.
    for npc in NPC.objects.select_related("scene").exclude(language="en"):
        assert SceneTranslation.objects.filter(scene=npc.scene, language=npc.language).exists(), npc.npc_id
    classroom = Classroom.objects.get()
    assert classroom.teacher.username == "teacher"
    assert classroom.learners.count() == Player.objects.count() >= 3
    tokens = _printed_tokens(output)
    assert set(tokens) == set(Player.objects.values_list("player_id", flat=True))
    for player_id, token in tokens.items():
        assert player_authenticate(player_id=player_id, token=token).player_id == player_id


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_keeps_authors_edits():
    first_output = _seed()
    NPC.objects.filter(npc_id="baker_01").update(personality="Edited by an author.")
    SceneTranslation.objects.filter(scene_id="bakery", language="fr").update(description="Retouchée.")
    models = (Scene, SceneTranslation, NPC, Player, Classroom, get_user_model())
    counts = [model.objects.count() for model in models]

    second_output = _seed()

    assert [model.objects.count() for model in models] == counts
    assert SceneTranslation.objects.get(scene_id="bakery", language="fr").description == "Retouchée."
    assert NPC.objects.get(npc_id="baker_01").personality == "Edited by an author."
    assert _printed_tokens(second_output) == {}
    # The tokens printed the first time still work.
    for player_id, token in _printed_tokens(first_output).items():
        assert player_authenticate(player_id=player_id, token=token).player_id == player_id


@pytest.mark.django_db
def test_rotate_credentials_issues_new_tokens():
    first = _printed_tokens(_seed())
    rotated = _printed_tokens(_seed("--rotate-credentials"))
    assert set(rotated) == set(first)
    assert all(rotated[player_id] != first[player_id] for player_id in first)
