import importlib

import pytest
from django.apps import apps

from npcs.models import NPC
from npcs.tests.factories import NPCFactory

voice_fix = importlib.import_module("npcs.migrations.0002_espeak_voice_fr")


@pytest.mark.django_db
def test_french_npcs_seeded_with_a_voice_espeak_lacks_get_its_french_voice():
    old_demo = NPCFactory(npc_id="old_pierre", language="fr", voice={"espeak": "fr-fr"})
    authored = NPCFactory(npc_id="authored", language="fr", voice={"espeak": "fr-BE"})
    english = NPCFactory(npc_id="english", language="en", voice={"piper": "en_US-joe-medium", "espeak": "en-us"})

    voice_fix.use_bundled_french_voice(apps, None)

    assert NPC.objects.get(pk=old_demo.pk).voice == {"espeak": "fr"}
    assert NPC.objects.get(pk=authored.pk).voice == {"espeak": "fr-BE"}
    assert NPC.objects.get(pk=english.pk).voice == english.voice
