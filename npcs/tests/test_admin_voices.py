"""An author saving an NPC with a voice that does not exist gets a form error, not a failed turn later."""

import pytest

from npcs.models import NPC

pytestmark = [pytest.mark.django_db, pytest.mark.models]  # the form asks espeak-ng for its voices


def _form(scene, voice: str) -> dict:
    return {
        "npc_id": "baker_pierre_2",
        "name": "Pierre",
        "language": "fr",
        "cefr_level": "A2",
        "emotional_tone": "warm",
        "personality": "A baker.",
        "backstory": "",
        "greeting": "Bonjour !",
        "scene": scene.pk,
        "voice": voice,
        "price_list": "[]",
        "currency": "€",
        "is_active": "on",
    }


def test_the_admin_refuses_a_voice_the_engine_does_not_have(staff_client, scene):
    response = staff_client.post("/admin/npcs/npc/add/", _form(scene, '{"espeak": "fr-fr"}'))
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["voice"]
    assert "espeak-ng has no voice 'fr-fr'" in errors[0] and "espeak has: fr, fr-be, fr-ch" in errors[0]
    assert not NPC.objects.filter(npc_id="baker_pierre_2").exists()


def test_the_admin_saves_an_npc_whose_voice_exists(staff_client, scene):
    response = staff_client.post("/admin/npcs/npc/add/", _form(scene, '{"espeak": "fr+f3"}'))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert NPC.objects.get(npc_id="baker_pierre_2").voice == {"espeak": "fr+f3"}
