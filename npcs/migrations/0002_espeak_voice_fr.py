"""Demo NPCs seeded before 2026-12 asked espeak-ng for the voice "fr-fr", which the bundled
espeak-ng data does not have (its French voice is "fr"): every French turn failed with
tts_failed. Point those NPCs at "fr"; other voices are left as their authors set them."""

from django.db import migrations


def use_bundled_french_voice(apps, schema_editor):
    NPC = apps.get_model("npcs", "NPC")
    for npc in NPC.objects.filter(language="fr"):
        if (npc.voice or {}).get("espeak") == "fr-fr":
            npc.voice = {**npc.voice, "espeak": "fr"}
            npc.save(update_fields=["voice"])


class Migration(migrations.Migration):
    dependencies = [("npcs", "0001_initial")]

    operations = [migrations.RunPython(use_bundled_french_voice, migrations.RunPython.noop)]
