from rest_framework import serializers

from grammar.models import Mistake
from vocabulary.languages import LANGUAGE_CHOICES

UTTERANCE_MAX_CHARS = 1000


class CorrectRequestSerializer(serializers.Serializer):
    utterance = serializers.CharField(max_length=UTTERANCE_MAX_CHARS, trim_whitespace=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class GrammarEditSerializer(serializers.Serializer):
    original = serializers.CharField()
    correction = serializers.CharField(allow_blank=True)
    category = serializers.CharField()
    explanation = serializers.CharField(allow_blank=True)
    severity = serializers.IntegerField()


class GrammarResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["done", "unavailable"])
    mistake_found = serializers.BooleanField()
    category = serializers.CharField(allow_null=True)
    original = serializers.CharField()
    correction = serializers.CharField()
    explanation = serializers.CharField(allow_blank=True)
    severity = serializers.IntegerField()
    edits = GrammarEditSerializer(many=True)


class MistakesQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=3650, required=False, help_text="Only the last N days.")


class CategoryCountSerializer(serializers.Serializer):
    category = serializers.CharField()
    count = serializers.IntegerField()


class ReviewCheckSerializer(serializers.Serializer):
    player_id = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$")
    active_minutes = serializers.FloatField(min_value=0)


class ReviewAnswerSerializer(serializers.Serializer):
    # A language model's exercise carries itself, signed, in its id (grammar/exercises.py).
    exercise_id = serializers.CharField(max_length=4000)
    answer = serializers.CharField(max_length=UTTERANCE_MAX_CHARS, allow_blank=True, trim_whitespace=True)


class MistakeCurationSerializer(serializers.ModelSerializer):
    player_id = serializers.CharField(source="player.player_id")
    rejected_by = serializers.CharField(source="rejected_by.get_username", allow_null=True, default=None)

    class Meta:
        model = Mistake
        fields = [
            "id",
            "player_id",
            "category",
            "original",
            "correction",
            "explanation",
            "severity",
            "status",
            "rejected_by",
            "rejected_at",
            "created_at",
        ]
        read_only_fields = fields
