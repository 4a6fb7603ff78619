from rest_framework import serializers

SLUG_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class GameEventSerializer(serializers.Serializer):
    player_id = serializers.RegexField(SLUG_PATTERN, max_length=64)
    event_type = serializers.CharField(max_length=64)
    payload = serializers.JSONField(required=False, default=dict)


class GameEventAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField()
    event = serializers.CharField()


class PositionSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()
    z = serializers.FloatField()


class PlayerStateSerializer(serializers.Serializer):
    """PROTOCOL.md's PlayerState, read by the Unity client."""

    player_id = serializers.CharField()
    language = serializers.CharField()
    proficiency_level = serializers.CharField()
    scene_id = serializers.CharField(allow_null=True)
    position = PositionSerializer()
    object_in_hand = serializers.CharField(allow_null=True)
    nearby_npcs = serializers.ListField(child=serializers.CharField())
    active_quest = serializers.CharField(allow_null=True)
    active_npc_id = serializers.CharField(allow_null=True)
