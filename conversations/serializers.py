from rest_framework import serializers

from conversations.messages import TYPED_TEXT_MAX_CHARS


class TextTurnRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TYPED_TEXT_MAX_CHARS, trim_whitespace=True)
    audio = serializers.BooleanField(default=False, help_text="Also return the reply as base64 WAV, one per sentence.")


class TextTurnResponseSerializer(serializers.Serializer):
    turn_id = serializers.UUIDField()
    transcript = serializers.CharField()
    reply = serializers.CharField(allow_blank=True)
    error = serializers.DictField(allow_null=True)
    metrics = serializers.DictField()
    audio_wav_base64 = serializers.ListField(child=serializers.CharField(), required=False)
