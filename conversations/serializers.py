import base64
import binascii
import io
import wave

import numpy as np
from rest_framework import serializers

from conversations.audio import UTTERANCE_MAX_SECONDS
from conversations.messages import TYPED_TEXT_MAX_CHARS
from vocabulary.audio import INPUT_SAMPLE_RATE_MAX, INPUT_SAMPLE_RATE_MIN, SAMPLE_WIDTH, pcm16_resample

# As long as a spoken turn on the socket.
SPOKEN_TURN_MAX_SECONDS = UTTERANCE_MAX_SECONDS
# 30 s (the default) of 48 kHz stereo PCM16 is 5.8 MB; its base64 is a third longer.
SPOKEN_TURN_MAX_BASE64_CHARS = int(SPOKEN_TURN_MAX_SECONDS * INPUT_SAMPLE_RATE_MAX * 2 * SAMPLE_WIDTH * 4 / 3) + 1024


def wav_speech_decode(encoded: str) -> bytes:
    """Base64 WAV (PCM16, mono or stereo, 8-48 kHz) -> 16 kHz mono PCM16, or a ValidationError
    that says what is wrong with it."""
    if len(encoded) > SPOKEN_TURN_MAX_BASE64_CHARS:
        raise serializers.ValidationError(
            f"The audio is too long: a spoken turn is at most {SPOKEN_TURN_MAX_SECONDS:g} seconds.", code="too_long"
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise serializers.ValidationError(f"Not valid base64 ({exc}).", code="bad_base64") from None
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise serializers.ValidationError(
            "Not a WAV file (it does not start with RIFF....WAVE); send a PCM16 WAV file, base64-encoded.",
            code="not_wav",
        )
    try:
        with wave.open(io.BytesIO(data), "rb") as handle:
            width, channels, rate = handle.getsampwidth(), handle.getnchannels(), handle.getframerate()
            frames = handle.readframes(handle.getnframes())
    except wave.Error as exc:
        # Python's wave reads PCM only: float, A-law, mu-law, ADPCM and WAVE_FORMAT_EXTENSIBLE are refused here.
        raise serializers.ValidationError(
            f"Unsupported WAV encoding ({exc}); send 16-bit PCM (format 1), mono or stereo.",
            code="unsupported_encoding",
        ) from None
    except (EOFError, RuntimeError):
        # RuntimeError: a chunk whose declared size runs past the file's (wave's Chunk.seek raises it).
        raise serializers.ValidationError("The WAV file is truncated.", code="not_wav") from None
    if width != SAMPLE_WIDTH:
        raise serializers.ValidationError(
            f"Unsupported WAV encoding: {8 * width}-bit samples; send 16-bit PCM.", code="unsupported_encoding"
        )
    if channels not in (1, 2):
        raise serializers.ValidationError(
            f"Unsupported WAV encoding: {channels} channels; send mono or stereo.", code="unsupported_encoding"
        )
    if not INPUT_SAMPLE_RATE_MIN <= rate <= INPUT_SAMPLE_RATE_MAX:
        raise serializers.ValidationError(
            f"Unsupported sample rate {rate} Hz; use {INPUT_SAMPLE_RATE_MIN}-{INPUT_SAMPLE_RATE_MAX} Hz.",
            code="unsupported_encoding",
        )
    seconds = len(frames) / (SAMPLE_WIDTH * channels) / rate
    if seconds > SPOKEN_TURN_MAX_SECONDS:
        raise serializers.ValidationError(
            f"The audio is too long ({seconds:.1f} s): a spoken turn is at most {SPOKEN_TURN_MAX_SECONDS:g} seconds.",
            code="too_long",
        )
    if not frames:
        raise serializers.ValidationError("The WAV file has no audio.", code="empty_audio")
    samples = np.frombuffer(frames[: len(frames) - len(frames) % (SAMPLE_WIDTH * channels)], dtype="<i2")
    if channels == 2:
        samples = np.rint(samples.reshape(-1, 2).astype(np.float32).mean(axis=1)).astype("<i2")
    return pcm16_resample(pcm=samples.tobytes(), from_rate=rate)


class TextTurnRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TYPED_TEXT_MAX_CHARS, trim_whitespace=True, required=False)
    audio_wav_base64 = serializers.CharField(
        required=False,
        trim_whitespace=True,
        help_text=(
            "A spoken turn instead of text: a base64 WAV file, 16-bit PCM, mono or stereo, "
            f"{INPUT_SAMPLE_RATE_MIN}-{INPUT_SAMPLE_RATE_MAX} Hz, at most {SPOKEN_TURN_MAX_SECONDS:g} s."
        ),
    )
    audio = serializers.BooleanField(default=False, help_text="Also return the reply as base64 WAV, one per sentence.")

    def validate_audio_wav_base64(self, value: str) -> bytes:
        """The 16 kHz mono PCM16 speech the orchestrator transcribes."""
        return wav_speech_decode(value)

    def validate(self, attrs):
        if ("text" in attrs) == ("audio_wav_base64" in attrs):
            message = "Send either text or audio_wav_base64 (a spoken turn), not both."
            if "text" not in attrs:
                message = "Send text or audio_wav_base64 (a spoken turn)."
            raise serializers.ValidationError({"text": [message]}, code="required")
        return attrs


class TextTurnResponseSerializer(serializers.Serializer):
    turn_id = serializers.UUIDField()
    transcript = serializers.CharField(help_text="The typed text, or what speech-to-text heard.")
    reply = serializers.CharField(allow_blank=True)
    error = serializers.DictField(allow_null=True)
    metrics = serializers.DictField()
    audio_wav_base64 = serializers.ListField(child=serializers.CharField(), required=False)
