"""The NPC form authors use in the admin: a voice that does not exist is a form error."""

from django import forms

from npcs.models import NPC
from npcs.voices import npc_voice_problems


class NPCAdminForm(forms.ModelForm):
    class Meta:
        model = NPC
        fields = [  # the admin's fieldsets choose which it shows
            "npc_id",
            "name",
            "scene",
            "is_active",
            "personality",
            "backstory",
            "emotional_tone",
            "greeting",
            "language",
            "cefr_level",
            "voice",
        ]

    def clean(self):
        cleaned = super().clean()
        language, voice = cleaned.get("language"), cleaned.get("voice")
        if language and voice is not None:
            for problem in npc_voice_problems(language=language, voice=voice):
                self.add_error("voice", problem)
        return cleaned
