"""The push-to-talk WebSocket endpoint, end to end through the real ASGI application
with the real embedded engines (speech is synthesized by Piper)."""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from conversations.models import Conversation, Turn
from conversations.tests.helpers import (
    ScriptedLanguageModel,
    UnreachableLanguageModel,
    assert_canonical_wav,
    audio_of,
    events_of,
    receive_turn,
    stored_turns,
    unity_frames,
)
from players.models import Player
from players.services import player_token_issue
from players.world_state import get_world_state_store

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_test_db")]

UNITY_END_UTTERANCE = '{"type":"end_utterance","text":"","enabled":false}'


async def test_unity_style_spoken_turn(connect, baker, speech, engines):
    socket = await connect("/api/conversations/ws/learner/baker_01")
    for frame in unity_frames(speech("I would like two loaves of bread, please.")):
        await socket.send_to(bytes_data=frame)
    await socket.send_to(text_data=UNITY_END_UTTERANCE)

    received = await receive_turn(socket)

    transcription = events_of(received, "transcription")[0]
    assert "bread" in transcription["text"].lower() and transcription["language"] == "en"
    assert received.index(transcription) == 0, "the transcript comes before any audio"
    wavs = audio_of(received)
    assert wavs and all(assert_canonical_wav(frame) == 22050 for frame in wavs)
    npc_text = events_of(received, "npc_text")[0]
    assert npc_text["text"] and npc_text["turn_id"] == transcription["turn_id"]
    assert received.index(npc_text) > received.index(wavs[-1])
    complete = received[-1]
    assert complete["turn_id"] == transcription["turn_id"] and "interrupted" not in complete
    metrics = complete["metrics"]
    assert 0 <= metrics["stt_ms"] <= metrics["first_audio_ms"] <= metrics["total_ms"]
    assert metrics["audio_in_ms"] > 1000
    assert set(metrics["engines"]) == {"stt", "llm", "tts"} and metrics["engines"]["tts"] == "piper"

    (turn,) = await stored_turns()
    assert turn.transcript == transcription["text"] and turn.npc_reply == npc_text["text"]
    assert turn.status == Turn.Status.COMPLETED and turn.metrics["total_ms"] == metrics["total_ms"]
    history = await get_world_state_store().history_list(player_id="learner", npc_id="baker_01")
    assert [(h.player_text, h.npc_text) for h in history] == [(turn.transcript, turn.npc_reply)]


@pytest.mark.parametrize("audio", [b"", bytes(16000 * 2)], ids=["empty", "one-second-of-silence"])
async def test_utterance_without_speech_still_completes(connect, baker, engines, audio):
    socket = await connect("/api/conversations/ws/learner/baker_01")
    for frame in unity_frames(audio):
        await socket.send_to(bytes_data=frame)
    await socket.send_to(text_data=UNITY_END_UTTERANCE)

    received = await receive_turn(socket)

    assert [event["type"] for event in events_of(received)] == ["transcription", "turn_complete"]
    assert received[0]["text"] == "" and not audio_of(received)
    assert await socket.receive_nothing(timeout=0.3)


async def test_typed_text_turn_echoes_the_text(connect, baker, use_language_model):
    model = ScriptedLanguageModel(["Of course! ", "Two loaves. ", "Anything else?"])
    use_language_model(model)
    socket = await connect("/api/conversations/ws/learner/baker_01")

    await socket.send_to(text_data=json.dumps({"type": "text", "text": "Two loaves, please."}))
    received = await receive_turn(socket)

    assert received[0]["type"] == "transcription" and received[0]["text"] == "Two loaves, please."
    # Two sentences at most: the third is never spoken (nor kept in the history).
    assert len(audio_of(received)) == 2
    assert events_of(received, "npc_text")[0]["text"] == "Of course! Two loaves."
    assert model.messages[-1].content == "Two loaves, please."
    assert "Speak only English" in model.messages[0].content


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"bytes_data": b"\x01\x02\x03"}, "bad_audio"),
        ({"bytes_data": bytes(300_000)}, "message_too_large"),
        ({"text_data": "{not json"}, "bad_json"),
        # Legal size, but nested past the JSON parser's recursion limit (it used to close with 1011).
        ({"text_data": "[" * 20_000 + "]" * 20_000}, "bad_json"),
        ({"text_data": '{"type":"dance"}'}, "unknown_message"),
        ({"text_data": "[1, 2]"}, "bad_message"),
        ({"text_data": '{"type":"config","output":"mp3"}'}, "bad_config"),
    ],
)
async def test_bad_frames_get_an_error_and_the_session_goes_on(connect, baker, frame, code):
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(**frame)
    error = await socket.receive_json_from(timeout=10)
    assert error["type"] == "error" and error["code"] == code
    assert error["text"] == error["message"] and error["text"]

    await socket.send_to(text_data='{"type":"ping"}')
    assert await socket.receive_json_from(timeout=10) == {"type": "pong"}


async def test_repeated_bad_frames_close_the_socket(connect, baker):
    socket = await connect("/api/conversations/ws/learner/baker_01")
    for _ in range(21):
        await socket.send_to(text_data="nonsense")
    codes = []
    while True:
        output = await socket.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            break
        codes.append(json.loads(output["text"])["code"])
    assert output["code"] == 4429
    assert codes[-1] == "rate_limited" and codes.count("bad_json") == 21


async def test_when_the_socket_opens_the_model_reads_the_first_prompt_start_ahead(connect, baker, use_language_model):
    model = ScriptedLanguageModel(["Good morning!"])
    use_language_model(model)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    for _ in range(100):
        if model.prefilled:
            break
        await asyncio.sleep(0.05)
    assert len(model.prefilled) == 1 and not model.messages  # read before the learner said anything

    await socket.send_to(text_data='{"type":"text","text":"Hello"}')
    await receive_turn(socket)

    # The first turn's prompt is what was read, then the learner's words.
    first_turn = model.messages
    assert [m.role for m in model.prefilled[0]] == [m.role for m in first_turn[:-1]]
    assert model.prefilled[0][1:] == first_turn[1:-1]
    assert first_turn[-1].content == "Hello"
    await socket.disconnect()


async def test_after_a_turn_the_model_reads_the_next_prompt_start_ahead(connect, baker, use_language_model):
    model = ScriptedLanguageModel(["Good morning! ", "What would you like?"])
    use_language_model(model)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"text","text":"Hello"}')
    await receive_turn(socket)
    for _ in range(100):
        if len(model.prefilled) == 2:  # the prompt read at the socket's opening, then this one
            break
        await asyncio.sleep(0.05)

    await socket.send_to(text_data='{"type":"text","text":"Some bread, please."}')
    await receive_turn(socket)

    # Everything but the learner's new words was read before they spoke.
    assert model.prefilled[-1] == model.messages[:-1]
    assert [m.content for m in model.messages[-3:]] == [
        "Hello",
        "Good morning! What would you like?",
        "Some bread, please.",
    ]


async def test_first_audio_is_sent_while_the_model_is_still_writing(connect, baker, use_language_model):
    # The segmenter cuts "Good morning!" once the next word starts; then the model is held.
    model = ScriptedLanguageModel(["Good morning! ", "The", " bread is fresh today."], hold_after=2)
    use_language_model(model)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"text","text":"Hello"}')

    assert (await socket.receive_json_from(timeout=30))["type"] == "transcription"
    first_audio = await socket.receive_from(timeout=60)
    assert isinstance(first_audio, bytes) and model.held.is_set() and not model.release.is_set()
    model.release.set()

    rest = await receive_turn(socket)
    assert events_of(rest, "npc_text")[0]["text"] == "Good morning! The bread is fresh today."


async def test_interrupt_stops_the_reply_and_keeps_what_was_heard(connect, baker, use_language_model):
    model = ScriptedLanguageModel(["Good morning! ", "Let", " me tell you about every cake."], hold_after=2)
    use_language_model(model)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"text","text":"Hello"}')
    await socket.receive_json_from(timeout=30)
    assert isinstance(await socket.receive_from(timeout=60), bytes)

    await socket.send_to(text_data='{"type":"interrupt"}')
    received = await receive_turn(socket)

    assert received[-1]["interrupted"] is True
    assert events_of(received, "npc_text")[0]["text"] == "Good morning!"
    assert not audio_of(received), "nothing queued is sent after the barge-in"
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.INTERRUPTED and turn.npc_reply == "Good morning!"
    history = await get_world_state_store().history_list(player_id="learner", npc_id="baker_01")
    assert history[-1].npc_text == "Good morning!"


async def test_a_failing_language_model_gives_an_error_and_a_turn_complete(connect, baker, use_language_model):
    use_language_model(UnreachableLanguageModel())
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"text","text":"Hello"}')

    received = await receive_turn(socket)

    assert [event["type"] for event in events_of(received)] == ["transcription", "error", "turn_complete"]
    assert events_of(received, "error")[0]["code"] == "llm_unavailable"
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.FAILED and turn.error_code == "llm_unavailable"
    await socket.send_to(text_data='{"type":"ping"}')
    assert await socket.receive_json_from(timeout=10) == {"type": "pong"}


async def test_turns_are_queued_one_deep_and_a_third_is_busy(connect, baker, use_language_model):
    model = ScriptedLanguageModel(["Yes. ", "Sure."], hold_after=1)
    use_language_model(model)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    for text in ("one", "two", "three"):
        await socket.send_to(text_data=json.dumps({"type": "text", "text": text}))
    await asyncio.wait_for(model.held.wait(), 30)
    # The first turn's transcript and the third message's refusal, in either order.
    early = {event["type"]: event for event in [await socket.receive_json_from(timeout=10) for _ in range(3)]}
    model.release.set()

    assert early["transcription"]["text"] == "one"
    assert early["error"]["code"] == "busy"
    assert early["turn_complete"]["turn_id"] != early["transcription"]["turn_id"]
    first, second = await receive_turn(socket), await receive_turn(socket)
    assert first[-1]["turn_id"] == early["transcription"]["turn_id"]
    assert events_of(second, "transcription")[0]["text"] == "two"
    assert [turn.transcript for turn in await stored_turns()] == ["one", "two"]


async def test_disconnect_mid_turn_stops_the_turn_and_ends_the_conversation(connect, baker, use_language_model):
    model = ScriptedLanguageModel(["Well. ", "Never mind."], hold_after=1)
    use_language_model(model)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"text","text":"Hello"}')
    await asyncio.wait_for(model.held.wait(), 30)

    await socket.disconnect(timeout=30)

    conversation = await Conversation.objects.aget(player__player_id="learner")
    assert conversation.ended_at is not None
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.INTERRUPTED


async def test_a_socket_closed_right_after_end_utterance_keeps_the_learners_words(connect, baker, speech):
    socket = await connect("/api/conversations/ws/learner/baker_01")
    for frame in unity_frames(speech("I would like two loaves of bread, please.")):
        await socket.send_to(bytes_data=frame)
    await socket.send_to(text_data=UNITY_END_UTTERANCE)

    await socket.disconnect(timeout=60)

    (turn,) = await stored_turns()
    assert "bread" in turn.transcript.lower() and turn.status == Turn.Status.INTERRUPTED
    assert turn.npc_reply == "", "no reply is written for a client that went away"
    conversation = await Conversation.objects.aget(player__player_id="learner")
    assert conversation.ended_at is not None


async def test_pcm16_output_is_announced_by_audio_start(connect, baker, use_language_model):
    use_language_model(ScriptedLanguageModel(["Hello there."]))
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"config","output":"pcm16","events":["npc_text_delta","metrics"]}')
    await socket.send_to(text_data='{"type":"text","text":"Hi"}')

    received = await receive_turn(socket)

    start = events_of(received, "audio_start")[0]
    assert start == {"type": "audio_start", "sample_rate": 22050, "encoding": "pcm16"}
    (pcm,) = audio_of(received)
    assert received.index(start) < received.index(pcm) and not pcm.startswith(b"RIFF")
    assert [event["text"] for event in events_of(received, "npc_text_delta")] == ["Hello there."]
    assert {event["stage"] for event in events_of(received, "metrics")} >= {"llm_first_token", "first_audio"}


async def test_input_sample_rate_is_resampled_for_speech_to_text(connect, baker, speech, engines):
    from vocabulary.audio import pcm16_resample

    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"config","input_sample_rate":48000}')
    audio_48k = pcm16_resample(pcm=speech("Good morning, I need some bread."), from_rate=16000, to_rate=48000)
    for frame in unity_frames(audio_48k):
        await socket.send_to(bytes_data=frame)
    await socket.send_to(text_data='{"type":"end_utterance"}')

    received = await receive_turn(socket)

    assert "bread" in events_of(received, "transcription")[0]["text"].lower()


async def test_unknown_npc_is_refused_with_4404(connect, transactional_db):
    socket = await connect("/api/conversations/ws/learner/nobody_here")
    error = await socket.receive_json_from(timeout=10)
    assert error["type"] == "error" and error["code"] == "unknown_npc" and "nobody_here" in error["text"]
    assert (await socket.receive_output(timeout=10)) == {"type": "websocket.close", "code": 4404}


@override_settings(VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS=False)
async def test_token_rules_with_anonymous_players_off(connect, baker):
    refused = await connect("/api/conversations/ws/learner/baker_01")
    error = await refused.receive_json_from(timeout=10)
    assert error["code"] == "unauthorized"
    assert (await refused.receive_output(timeout=10))["code"] == 4401

    player = await Player.objects.acreate(player_id="learner")
    token = await database_sync_to_async(player_token_issue)(player=player)
    for path, headers in [
        (f"/api/conversations/ws/learner/baker_01/?token={token}", []),
        ("/api/conversations/ws/learner/baker_01", [(b"authorization", f"Bearer {token}".encode())]),
    ]:
        socket = await connect(path, headers=headers)
        await socket.send_to(text_data='{"type":"ping"}')
        assert await socket.receive_json_from(timeout=10) == {"type": "pong"}

    wrong = await connect("/api/conversations/ws/learner/baker_01?token=not-the-token")
    assert (await wrong.receive_json_from(timeout=10))["code"] == "unauthorized"


async def test_browser_origins_must_be_allowed(baker):
    from channels.testing import WebsocketCommunicator

    from virtulingo.asgi import application

    socket = WebsocketCommunicator(
        application, "/api/conversations/ws/learner/baker_01", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await socket.connect(timeout=10)
    assert connected is False


async def _receive_until(socket, kinds: set[str]) -> dict[str, dict]:
    """Events by type until every one of `kinds` arrived (audio is skipped)."""
    seen: dict[str, dict] = {}
    while not kinds <= set(seen):
        output = await socket.receive_output(timeout=60)
        if output.get("text"):
            event = json.loads(output["text"])
            seen.setdefault(event["type"], event)
    return seen


async def test_grammar_correction_reaches_every_socket_of_the_player(connect, baker, use_language_model):
    use_language_model(ScriptedLanguageModel(["Oh, why not?"]))
    speaking = await connect("/api/conversations/ws/learner/baker_01")
    other_tab = await connect("/api/conversations/ws/learner/baker_01/")

    await speaking.send_to(text_data='{"type":"text","text":"She don\'t like apples."}')
    seen = await _receive_until(speaking, {"turn_complete", "grammar_correction"})
    pushed = await other_tab.receive_json_from(timeout=60)

    correction = seen["grammar_correction"]
    assert pushed == correction
    assert correction["player_id"] == "learner" and correction["timestamp"].endswith("+00:00")
    data = correction["data"]
    assert data["mistake_found"] is True and data["category"] == "verb_conjugation"
    assert data["original"] == "She don't like apples." and "doesn't" in data["correction"]
    assert isinstance(data["severity"], int) and 1 <= data["severity"] <= 5
    assert data["turn_id"] == seen["turn_complete"]["turn_id"] and data["edits"]
    assert await other_tab.receive_nothing(timeout=0.5)


@pytest.mark.skipif(
    settings.CELERY_ENABLED, reason="with a broker the check runs in the worker process, where it cannot be held"
)
async def test_a_slow_grammar_check_does_not_delay_the_turn(connect, baker, engines, use_language_model, monkeypatch):
    use_language_model(ScriptedLanguageModel(["Really?"]))
    release = threading.Event()  # the check runs on its own thread and loop
    real_check = engines.check_grammar

    async def held_check(*args, **kwargs):
        await asyncio.to_thread(release.wait, 60)
        return await real_check(*args, **kwargs)

    monkeypatch.setattr(engines, "check_grammar", held_check)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    await socket.send_to(text_data='{"type":"text","text":"He go to school every day."}')

    received = await receive_turn(socket)
    assert not events_of(received, "grammar_correction") and not release.is_set()

    release.set()
    correction = await socket.receive_json_from(timeout=60)
    assert correction["type"] == "grammar_correction"
    assert correction["data"]["correction"] == "He goes to school every day."


async def test_speech_before_a_pause_is_transcribed_while_the_learner_goes_on(
    connect, baker, speech, engines, monkeypatch
):
    stt = engines.stt()
    heard: list[tuple[int, bool]] = []  # (audio ms, whether end_utterance had been sent)
    ended = asyncio.Event()
    transcribe = stt.transcribe

    async def recording_transcribe(pcm, **kwargs):
        heard.append((len(pcm) // 32, ended.is_set()))
        return await transcribe(pcm, **kwargs)

    monkeypatch.setattr(stt, "transcribe", recording_transcribe)
    socket = await connect("/api/conversations/ws/learner/baker_01")
    first = speech("I would like some bread.")
    for frame in unity_frames(first + bytes(32 * 800) + speech("And a chocolate cake.")):
        await socket.send_to(bytes_data=frame)
    # The learner is still holding the talk key: the piece before the pause is transcribed meanwhile.
    for _ in range(600):
        if heard:
            break
        await asyncio.sleep(0.1)
    ended.set()
    await socket.send_to(text_data=UNITY_END_UTTERANCE)

    received = await receive_turn(socket)

    text = events_of(received, "transcription")[0]["text"].lower()
    assert "bread" in text and "cake" in text
    assert heard[0][1] is False and heard[0][0] >= len(first) // 32, "the first piece ran before end_utterance"
    assert len(heard) == 2 and heard[1][1] is True and heard[1][0] < 3000, "only the rest was left at the end"


async def test_a_channel_layer_failing_at_disconnect_still_ends_the_conversation(connect, baker, monkeypatch):
    from channels.layers import get_channel_layer

    socket = await connect("/api/conversations/ws/learner/baker_01")
    layer = get_channel_layer()

    async def group_discard(group: str, channel: str) -> None:
        raise ConnectionError("Too many connections")

    monkeypatch.setattr(layer, "group_discard", group_discard)

    await socket.disconnect(timeout=30)

    conversation = await Conversation.objects.aget(player__player_id="learner")
    assert conversation.ended_at is not None
