"""The hands-free WebSocket endpoint: voice activity finds the turns, through the real
ASGI application with the real embedded engines and speech synthesized by Piper."""

import asyncio
import json

import pytest
from django.test import override_settings

from conversations.models import Turn
from conversations.tests.helpers import (
    ScriptedLanguageModel,
    assert_canonical_wav,
    audio_of,
    events_of,
    receive_turn,
    stored_turns,
    unity_frames,
)
from players.tests.factories import PlayerFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_test_db")]

STREAM = "/api/conversations/ws/stream/{player}/baker_01"
FRAME_SECONDS = 0.256


def silence(ms: int) -> bytes:
    return bytes(ms * 32)


async def send_audio(socket, pcm: bytes, *, real_time: bool = False) -> None:
    for frame in unity_frames(pcm):
        await socket.send_to(bytes_data=frame)
        if real_time:
            await asyncio.sleep(FRAME_SECONDS)


async def open_stream(connect, *, player: str = "learner", events: list[str] | None = None, **config):
    socket = await connect(STREAM.format(player=player))
    if events is not None or config:
        await socket.send_to(text_data=json.dumps({"type": "config", "events": events or [], **config}))
    return socket


async def test_a_hands_free_turn_ends_on_silence(connect, baker, speech, engines):
    socket = await open_stream(connect, events=["speech_started", "speech_stopped"])
    await send_audio(socket, silence(512) + speech("I would like two loaves of bread, please.") + silence(1536))

    received = await receive_turn(socket)

    kinds = [item["type"] if isinstance(item, dict) else "audio" for item in received]
    assert kinds[:3] == ["speech_started", "speech_stopped", "transcription"]
    assert kinds[-2:] == ["npc_text", "turn_complete"] and "audio" in kinds
    assert "bread" in events_of(received, "transcription")[0]["text"].lower()
    assert all(assert_canonical_wav(frame) == 22050 for frame in audio_of(received))
    metrics = received[-1]["metrics"]
    # Measured from the last voiced sample: the end-of-turn silence (A2 learner: 1200 ms) is included.
    assert metrics["speech_end_to_first_audio_ms"] >= metrics["first_audio_ms"] + 1200
    (turn,) = await stored_turns()
    assert turn.input_mode == Turn.InputMode.SPEECH and turn.status == Turn.Status.COMPLETED
    assert await socket.receive_nothing(timeout=0.5), "one utterance, one turn"


async def test_silence_and_noise_free_audio_start_no_turn(connect, baker, engines):
    socket = await open_stream(connect, events=["speech_started"])
    await send_audio(socket, silence(4096))
    assert await socket.receive_nothing(timeout=1)


async def test_without_config_only_the_unity_events_are_sent(connect, baker, speech, engines):
    socket = await open_stream(connect)
    await send_audio(socket, speech("Good morning.") + silence(1536))
    received = await receive_turn(socket)
    assert {event["type"] for event in events_of(received)} == {"transcription", "npc_text", "turn_complete"}


async def test_partial_transcripts_follow_a_long_utterance(connect, baker, speech, engines):
    socket = await open_stream(connect, events=["transcription_partial"])
    utterance = speech("Good morning, I would like to buy some fresh bread and a big chocolate cake for my sister.")
    await send_audio(socket, utterance + silence(1536), real_time=True)

    received = await receive_turn(socket)

    partials = events_of(received, "transcription_partial")
    final = events_of(received, "transcription")[0]
    assert partials and all(p["text"] for p in partials)
    assert received.index(partials[-1]) < received.index(final)
    # At most one per second of audio.
    assert len(partials) <= len(utterance) // 32000
    assert "bread" in final["text"].lower()


async def test_speaking_over_the_npc_interrupts_it(connect, baker, speech, engines, use_language_model):
    model = ScriptedLanguageModel(["Good morning! ", "Let", " me tell you about every cake."], hold_after=2)
    use_language_model(model)
    socket = await open_stream(connect, events=["speech_started"])
    await socket.send_to(text_data='{"type":"text","text":"Hello"}')
    assert (await socket.receive_json_from(timeout=30))["type"] == "transcription"
    assert isinstance(await socket.receive_from(timeout=60), bytes)

    await send_audio(socket, speech("Sorry, one question.") + silence(1536))

    interrupted = await receive_turn(socket)
    assert events_of(interrupted, "speech_started")
    assert interrupted[-1]["interrupted"] is True
    assert events_of(interrupted, "npc_text")[0]["text"] == "Good morning!"
    model.release.set()
    # The learner's new utterance is a turn of its own.
    second = await receive_turn(socket)
    assert "question" in events_of(second, "transcription")[0]["text"].lower()


@pytest.mark.parametrize(("level", "turns"), [("A2", 1), ("B1", 2)])
async def test_beginners_may_pause_longer_mid_sentence(connect, baker, speech, engines, level, turns):
    await PlayerFactory._meta.model.objects.acreate(player_id=f"level_{level}", proficiency_level=level)
    socket = await open_stream(connect, player=f"level_{level}")
    await send_audio(socket, speech("I would like") + silence(900) + speech("some bread.") + silence(1536))

    transcripts = [events_of(await receive_turn(socket), "transcription")[0]["text"] for _ in range(turns)]

    assert "bread" in transcripts[-1].lower()
    assert await socket.receive_nothing(timeout=1)


async def test_end_of_turn_silence_can_be_configured(connect, baker, speech, engines):
    socket = await open_stream(connect, end_of_turn_silence_ms=3000)
    await send_audio(socket, speech("I would like") + silence(1800) + speech("some bread.") + silence(3300))
    received = await receive_turn(socket)
    text = events_of(received, "transcription")[0]["text"].lower()
    assert "like" in text and "bread" in text


async def test_end_utterance_ends_the_utterance_now(connect, baker, speech, engines):
    socket = await open_stream(connect)
    await send_audio(socket, speech("Good morning."))
    await socket.send_to(text_data='{"type":"end_utterance","text":"","enabled":false}')
    received = await receive_turn(socket)
    assert "morning" in events_of(received, "transcription")[0]["text"].lower()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "config", "end_of_turn_silence_ms": 50}, "bad_config"),
        ({"type": "config", "end_of_turn_silence_ms": "long"}, "bad_config"),
        ({"type": "dance"}, "unknown_message"),
    ],
)
async def test_bad_messages_get_an_error_and_the_stream_goes_on(connect, baker, speech, engines, message, code):
    socket = await open_stream(connect)
    await socket.send_to(text_data=json.dumps(message))
    assert (await socket.receive_json_from(timeout=10))["code"] == code
    await socket.send_to(bytes_data=b"\x01\x02\x03")
    assert (await socket.receive_json_from(timeout=10))["code"] == "bad_audio"
    await send_audio(socket, speech("Good morning.") + silence(1536))
    assert events_of(await receive_turn(socket), "transcription")


async def test_ping_typed_text_and_oversized_frames_on_the_stream(connect, baker, engines, use_language_model):
    use_language_model(ScriptedLanguageModel(["Hello there."]))
    socket = await open_stream(connect)
    await socket.send_to(text_data='{"type":"ping"}')
    assert await socket.receive_json_from(timeout=10) == {"type": "pong"}
    await socket.send_to(bytes_data=bytes(300 * 1024))
    assert (await socket.receive_json_from(timeout=10))["code"] == "message_too_large"
    await socket.send_to(text_data='{"type":"text","text":"Hi"}')
    received = await receive_turn(socket)
    assert events_of(received, "transcription")[0]["text"] == "Hi"
    assert events_of(received, "npc_text")[0]["text"] == "Hello there." and audio_of(received)


async def test_unknown_npc_is_refused_with_4404(connect, transactional_db):
    socket = await connect("/api/conversations/ws/stream/learner/nobody")
    assert (await socket.receive_json_from(timeout=10))["code"] == "unknown_npc"
    assert (await socket.receive_output(timeout=10)) == {"type": "websocket.close", "code": 4404}


@override_settings(VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS=False)
async def test_a_missing_token_is_refused_with_4401(connect, baker):
    socket = await connect(STREAM.format(player="learner"))
    assert (await socket.receive_json_from(timeout=10))["code"] == "unauthorized"
    assert (await socket.receive_output(timeout=10)) == {"type": "websocket.close", "code": 4401}


async def test_a_stream_refused_for_lack_of_voice_activity_leaves_no_open_conversation(
    connect, baker, engines, monkeypatch
):
    from conversations.models import Conversation
    from engines.errors import EngineUnavailableError

    class UnavailableVAD:
        async def ensure_loaded(self):
            raise EngineUnavailableError("onnxruntime is not installed")

    monkeypatch.setattr(engines, "vad", lambda: UnavailableVAD())
    socket = await connect(STREAM.format(player="learner"))
    assert (await socket.receive_json_from(timeout=10))["code"] == "vad_unavailable"
    assert (await socket.receive_output(timeout=10)) == {"type": "websocket.close", "code": 1011}
    assert not await Conversation.objects.filter(ended_at__isnull=True).aexists()


async def test_a_hands_free_learner_cut_off_mid_sentence_keeps_their_words(connect, baker, speech, engines):
    socket = await open_stream(connect, events=["speech_started"])
    # Speech, then the connection drops before the end-of-turn silence.
    await send_audio(socket, silence(512) + speech("I would like two loaves of bread, please."))
    assert (await socket.receive_json_from(timeout=30))["type"] == "speech_started"

    await socket.disconnect(timeout=60)

    (turn,) = await stored_turns()
    assert "bread" in turn.transcript.lower() and turn.status == Turn.Status.INTERRUPTED
    assert turn.npc_reply == ""
