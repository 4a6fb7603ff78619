from django import forms

from npcs.models import NPC
from vocabulary.taxonomy import MistakeCategory


class MistakeFilterForm(forms.Form):
    category = forms.ChoiceField(required=False, choices=[("", "All categories"), *MistakeCategory.choices])
    npc = forms.ChoiceField(required=False, label="NPC")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, npcs: list[NPC], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["npc"].choices = [("", "All NPCs"), *((npc.npc_id, npc.name) for npc in npcs)]


class ReviewAnswerForm(forms.Form):
    exercise_id = forms.CharField(max_length=4000, widget=forms.HiddenInput)
    answer = forms.CharField(max_length=500, required=False)
