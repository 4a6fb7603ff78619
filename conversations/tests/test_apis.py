import base64
import struct

import pytest
from rest_framework.test import APIClient

from conversations.models import Conversation, Turn
from conversations.tests.helpers import ScriptedLanguageModel, UnreachableLanguageModel

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_test_db")]


@pytest.fixture
def api():
    return APIClient()


def test_text_turn_over_rest_answers_with_the_reply_and_audio(api, npc, use_language_model):
    use_language_model(ScriptedLanguageModel(["Hello there! ", "What would you like?"]))

    response = api.post(
        f"/api/conversations/learner/{npc.npc_id}/conversation", {"text": "Good morning", "audio": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["transcript"] == "Good morning" and body["reply"] == "Hello there! What would you like?"
    assert body["error"] is None and body["metrics"]["total_ms"] >= body["metrics"]["first_audio_ms"]
    wavs = [base64.b64decode(item) for item in body["audio_wav_base64"]]
    assert len(wavs) == 2 and all(struct.unpack_from("<I", wav, 24)[0] == 22050 for wav in wavs)
    turn = Turn.objects.get(uuid=body["turn_id"])
    assert turn.npc_reply == body["reply"] and turn.conversation.ended_at is not None


def test_text_turn_reports_a_failed_model(api, npc, use_language_model):
    use_language_model(UnreachableLanguageModel())
    body = api.post(f"/api/conversations/learner/{npc.npc_id}/conversation", {"text": "Hi"}, format="json").json()
    assert body["error"]["code"] == "llm_unavailable" and body["reply"] == ""
    assert "audio_wav_base64" not in body


def test_text_turn_validation_and_unknown_npc(api, npc):
    assert api.post(f"/api/conversations/learner/{npc.npc_id}/conversation", {}, format="json").json()["fields"]["text"]
    missing = api.post("/api/conversations/learner/nobody/conversation", {"text": "Hi"}, format="json")
    assert missing.status_code == 404 and "nobody" in missing.json()["text"]
    assert not Conversation.objects.exists()


def wav_file(pcm: bytes, *, sample_rate: int, channels: int = 1, width: int = 2) -> bytes:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(width)
        handle.setframerate(sample_rate)
        handle.writeframes(pcm)
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture
def piper_speech(engines):
    """(PCM16, rate) of an English sentence at Piper's own 22 050 Hz: not the 16 kHz Whisper reads."""
    audio = engines.tts("piper").synthesize_sync("I would like two loaves of bread, please.", language="en")
    return audio.pcm, audio.sample_rate


@pytest.mark.parametrize("channels", [1, 2])
def test_spoken_turn_over_rest_is_transcribed_and_answered(api, npc, use_language_model, piper_speech, channels):
    import numpy as np

    use_language_model(ScriptedLanguageModel(["Two loaves, here you are."]))
    pcm, rate = piper_speech
    if channels == 2:  # the same speech in both channels, interleaved
        pcm = np.repeat(np.frombuffer(pcm, dtype="<i2"), 2).tobytes()

    response = api.post(
        f"/api/conversations/learner/{npc.npc_id}/conversation",
        {"audio_wav_base64": b64(wav_file(pcm, sample_rate=rate, channels=channels)), "audio": True},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["error"] is None, body["error"]
    heard = body["transcript"].lower()
    assert "two" in heard and "bread" in heard, heard
    assert body["reply"] == "Two loaves, here you are." and body["audio_wav_base64"]
    turn = Turn.objects.get(uuid=body["turn_id"])
    assert turn.input_mode == Turn.InputMode.SPEECH and turn.transcript == body["transcript"] and turn.audio_in_ms


def _refusal(api, npc, body) -> dict:
    response = api.post(f"/api/conversations/learner/{npc.npc_id}/conversation", body, format="json")
    assert response.status_code == 400, response.json()
    return response.json()


def test_spoken_turn_refuses_bad_audio_with_a_specific_reason(api, npc):
    second = bytes(2 * 16000)
    cases = {
        "not base64!": "Not valid base64",
        b64(b"ID3\x04 this is an mp3"): "Not a WAV file",
        b64(wav_file(bytes(16000), sample_rate=16000, width=1)): "8-bit",
        b64(wav_file(bytes(4 * 16000), sample_rate=16000, channels=3, width=2)): "3 channels",
        b64(wav_file(second, sample_rate=96000)): "96000 Hz",
        b64(wav_file(31 * second, sample_rate=16000)): "too long",
        b64(wav_file(b"", sample_rate=16000)): "no audio",
    }
    for encoded, reason in cases.items():
        body = _refusal(api, npc, {"audio_wav_base64": encoded})
        assert reason in body["fields"]["audio_wav_base64"][0], (reason, body)
    float_wav = bytearray(wav_file(second, sample_rate=16000))
    float_wav[20:22] = (3).to_bytes(2, "little")  # WAVE_FORMAT_IEEE_FLOAT
    body = _refusal(api, npc, {"audio_wav_base64": b64(bytes(float_wav))})
    assert "Unsupported WAV encoding" in body["fields"]["audio_wav_base64"][0]
    both = _refusal(api, npc, {"text": "Hi", "audio_wav_base64": b64(wav_file(second, sample_rate=16000))})
    assert "not both" in both["message"]
    assert not Conversation.objects.exists()


def test_spoken_turn_refuses_a_wav_whose_chunk_runs_past_the_file(api, npc):
    """Found by the property test of wav_speech_decode: Python's wave raised RuntimeError for a
    chunk whose declared size runs past the RIFF chunk's, and the request got a 500."""
    body = b"WAVE" + b"junk" + struct.pack("<I", 100) + b"abcd"
    wav = b"RIFF" + struct.pack("<I", len(body)) + body
    refused = _refusal(api, npc, {"audio_wav_base64": b64(wav)})
    assert "truncated" in refused["fields"]["audio_wav_base64"][0]
    assert not Conversation.objects.exists()


def test_the_npc_speaks_more_slowly_to_a_beginner(api, npc, use_language_model):
    from players.tests.factories import PlayerFactory

    reply = "Here is your bread. Have a nice day!"
    seconds = {}
    for level in ("A1", "C1"):
        PlayerFactory(player_id=f"learner_{level.lower()}", proficiency_level=level)
        use_language_model(ScriptedLanguageModel([reply]))
        body = api.post(
            f"/api/conversations/learner_{level.lower()}/{npc.npc_id}/conversation",
            {"text": "Bread, please", "audio": True},
            format="json",
        ).json()
        assert body["error"] is None and body["reply"] == reply
        wavs = [base64.b64decode(item) for item in body["audio_wav_base64"]]
        seconds[level] = sum((len(wav) - 44) / 2 / struct.unpack_from("<I", wav, 24)[0] for wav in wavs)
    assert seconds["A1"] > 1.1 * seconds["C1"], seconds


def test_the_longest_spoken_turn_fits_in_a_request(api, npc):
    """30 s of 48 kHz stereo reaches the serializer (Django's own body limit would answer a bare
    HTML 400); a second more is refused as too long, in the API's JSON."""
    from django.conf import settings

    from conversations.serializers import SPOKEN_TURN_MAX_BASE64_CHARS

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE > SPOKEN_TURN_MAX_BASE64_CHARS + 1024
    too_long = b64(wav_file(bytes(31 * 48000 * 4), sample_rate=48000, channels=2))
    assert len(too_long) > 2.5 * 1024 * 1024  # over Django's default limit
    body = _refusal(api, npc, {"audio_wav_base64": too_long})
    assert "too long" in body["fields"]["audio_wav_base64"][0]


@pytest.mark.parametrize(
    ("language", "sentence", "key_words"),
    [
        ("fr", "Bonjour, je voudrais un café, s'il vous plaît.", {"bonjour", "voudrais", "café", "vous"}),
        ("es", "Hola, quiero un kilo de manzanas, por favor.", {"quiero", "kilo", "manzanas", "favor"}),
        ("de", "Ich habe zwei Kinder und einen Hund.", {"habe", "kinder", "und", "einen", "hund"}),
    ],
)
def test_a_spoken_turn_in_each_demo_language(api, engines, use_language_model, language, sentence, key_words):
    """espeak-ng speech at 22 050 Hz, over REST, to an NPC of that language, with the demo's voice."""
    import re

    from npcs.tests.factories import NPCFactory
    from virtulingo.demo_content import NPCS

    demo = next(npc for npc in NPCS if npc["language"] == language)
    npc = NPCFactory(npc_id=f"{demo['npc_id']}_rest", language=language, voice=demo["voice"])
    use_language_model(ScriptedLanguageModel(["Très bien."]))
    audio = engines.tts("espeak").synthesize_sync(sentence, language=language)

    body = api.post(
        f"/api/conversations/learner/{npc.npc_id}/conversation",
        {"audio_wav_base64": b64(wav_file(audio.pcm, sample_rate=audio.sample_rate)), "audio": True},
        format="json",
    ).json()

    assert body["error"] is None, body
    heard = set(re.findall(r"\w+", body["transcript"].lower()))
    # espeak-ng's voices are robotic and Whisper base is small: most, not all, key words.
    assert len(key_words & heard) >= len(key_words) - 1, (body["transcript"], engines.stt().describe())
    assert body["audio_wav_base64"]
