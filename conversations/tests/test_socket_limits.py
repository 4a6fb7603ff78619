"""The limits of what one socket, and one player, may hold or send (docs/PROTOCOL.md, "Limits")."""

import json

import pytest

from conversations.consumers import CLOSE_TOO_MANY_SOCKETS, OPEN_SOCKETS
from conversations.messages import Ping, ProtocolError, client_message_parse
from conversations.models import Conversation, Turn
from conversations.tests.helpers import (
    UNITY_FRAME_BYTES,
    CheckedCommunicator,
    CountingSTT,
    HandedEngines,
    RecordingTransport,
    ScriptedLanguageModel,
    ScriptedVAD,
    SilentTTS,
    silence,
    voiced,
)
from conversations.voice_session import CLOSE_RATE_LIMITED, PushToTalkSession, WindowRateLimiter
from virtulingo.asgi import application

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_test_db", "no_grammar_checks"),
]


@pytest.fixture
def test_double_engines(monkeypatch):
    """The consumers' engine set, here test doubles: these tests are about the sockets."""
    engines = HandedEngines(llm=ScriptedLanguageModel(["Hello there."]), tts=SilentTTS())
    monkeypatch.setattr("conversations.consumers.get_registry", lambda: engines)
    return engines


async def _open(path: str) -> tuple[CheckedCommunicator, list[dict]]:
    """A socket and what it got at once: nothing when accepted, an error and a close when refused."""
    socket = CheckedCommunicator(application, path)
    connected, _ = await socket.connect(timeout=10)
    assert connected
    received: list[dict] = []
    while not await socket.receive_nothing(timeout=0.3):
        received.append(await socket.receive_output(timeout=1))
    return socket, received


async def test_a_player_holds_at_most_the_configured_sockets_on_a_server(settings, npc, test_double_engines):
    settings.SOCKETS_PER_PLAYER = 2
    path = f"/api/conversations/ws/ana/{npc.npc_id}"
    first, _ = await _open(path)
    second, _ = await _open(path)

    third, refused = await _open(path)

    assert refused[0]["type"] == "websocket.send" and '"too_many_sockets"' in refused[0]["text"]
    assert refused[1] == {"type": "websocket.close", "code": CLOSE_TOO_MANY_SOCKETS}
    assert await Conversation.objects.filter(player__player_id="ana").acount() == 2  # none for the refused one
    other, nothing = await _open(f"/api/conversations/ws/ben/{npc.npc_id}")
    assert nothing == []  # another player is not limited by ana's sockets

    await first.disconnect(timeout=10)
    fourth, nothing = await _open(path)
    assert nothing == [] and OPEN_SOCKETS["ana"] == 2
    for socket in (second, fourth, other):
        await socket.disconnect(timeout=10)
    assert "ana" not in OPEN_SOCKETS and "ben" not in OPEN_SOCKETS
    assert not await Conversation.objects.filter(ended_at__isnull=True).aexists()


async def test_a_flood_of_valid_messages_closes_the_socket(player, npc):
    transport = RecordingTransport()
    engines = HandedEngines(llm=ScriptedLanguageModel(["Hi."]), tts=SilentTTS())
    session = await PushToTalkSession.start(engines=engines, transport=transport, player=player, npc=npc)
    session.messages = WindowRateLimiter(limit=5)

    for _ in range(7):
        await session.handle(Ping(type="ping"))

    assert len(transport.events("pong")) == 5
    assert transport.events("error")[-1]["code"] == "rate_limited"
    assert transport.closed_with == [CLOSE_RATE_LIMITED]
    await session.close()


async def test_audio_frames_are_speech_and_never_count_as_messages(player, npc):
    transport = RecordingTransport()
    engines = HandedEngines(llm=ScriptedLanguageModel(["Hi."]), tts=SilentTTS())
    session = await PushToTalkSession.start(engines=engines, transport=transport, player=player, npc=npc)
    session.messages = WindowRateLimiter(limit=5)

    for _ in range(50):  # 50 Unity frames: 12.8 s of speech
        await session.audio_received(b"\x00\x00" * 4096)
    await session.handle(Ping(type="ping"))

    assert transport.closed_with == [] and len(transport.events("pong")) == 1
    await session.close()


async def test_the_text_limits_are_the_settings(settings):
    with pytest.raises(ProtocolError) as too_large:
        client_message_parse(text_data='{"type":"text","text":"' + "a" * (settings.TYPED_TEXT_MAX_CHARS + 1) + '"}')
    assert too_large.value.code == "message_too_large"
    assert str(settings.TYPED_TEXT_MAX_CHARS) in str(too_large.value)
    with pytest.raises(ProtocolError) as frame:
        client_message_parse(text_data=" " * (settings.WS_TEXT_FRAME_MAX_BYTES + 1))
    assert frame.value.code == "message_too_large"


# --- a client that sends audio faster than real time ------------------------------------


@pytest.fixture
def hearing_engines(monkeypatch):
    """Test doubles that hear: ScriptedVAD takes voiced() for speech, CountingSTT counts what it got."""
    engines = HandedEngines(
        llm=ScriptedLanguageModel(["Hello there."]), tts=SilentTTS(), stt=CountingSTT(), vad=ScriptedVAD()
    )
    monkeypatch.setattr("conversations.consumers.get_registry", lambda: engines)
    return engines


async def _send_unpaced(socket: CheckedCommunicator, pcm: bytes) -> int:
    """Unity-sized frames, all at once: nothing waits for the audio's own time."""
    frames = [pcm[start : start + UNITY_FRAME_BYTES] for start in range(0, len(pcm), UNITY_FRAME_BYTES)]
    for frame in frames:
        await socket.send_to(bytes_data=frame)
    return len(frames)


async def _events_until_turns_complete(socket: CheckedCommunicator, turns: int) -> list[dict]:
    events: list[dict] = []
    while sum(event["type"] == "turn_complete" for event in events) < turns:
        output = await socket.receive_output(timeout=30)
        assert output["type"] == "websocket.send", f"the socket closed: {output} after {events}"
        if output.get("text"):
            events.append(json.loads(output["text"]))
    return events


async def _still_open(socket: CheckedCommunicator) -> None:
    await socket.send_to(text_data='{"type":"ping"}')
    while True:
        output = await socket.receive_output(timeout=10)
        assert output["type"] == "websocket.send", output
        if output.get("text") and json.loads(output["text"])["type"] == "pong":
            return


async def test_forty_seconds_of_push_to_talk_audio_sent_unpaced_are_answered_up_to_the_limit(
    settings, npc, hearing_engines
):
    limit_bytes = int(settings.UTTERANCE_MAX_SECONDS * 16000) * 2
    socket = CheckedCommunicator(application, f"/api/conversations/ws/ana/{npc.npc_id}")
    assert (await socket.connect(timeout=10))[0]

    frames = await _send_unpaced(socket, voiced(40_000))
    await socket.send_to(text_data='{"type":"end_utterance"}')
    events = await _events_until_turns_complete(socket, turns=1)

    assert frames > settings.WS_MESSAGES_PER_10S, "more frames than text messages may be sent in 10 s"
    assert [e["code"] for e in events if e["type"] == "error"] == ["utterance_too_long"]
    assert hearing_engines.stt().heard_bytes == [limit_bytes], "transcribed up to the limit, to the byte"
    (turn,) = [turn async for turn in Turn.objects.filter(conversation__player__player_id="ana")]
    assert turn.audio_in_ms == settings.UTTERANCE_MAX_SECONDS * 1000
    await _still_open(socket)
    await socket.disconnect(timeout=10)


async def test_forty_seconds_of_hands_free_audio_sent_unpaced_are_cut_at_exactly_the_limit(
    settings, npc, hearing_engines
):
    limit_bytes = int(settings.UTTERANCE_MAX_SECONDS * 16000) * 2
    socket = CheckedCommunicator(application, f"/api/conversations/ws/stream/ana/{npc.npc_id}")
    assert (await socket.connect(timeout=10))[0]

    frames = await _send_unpaced(socket, voiced(40_000) + silence(1500))
    events = await _events_until_turns_complete(socket, turns=2)

    assert frames > settings.WS_MESSAGES_PER_10S
    assert [e for e in events if e["type"] == "error"] == []
    heard = hearing_engines.stt().heard_bytes
    assert heard[0] == limit_bytes, "the first turn is the limit, to the byte"
    # The rest of the monologue is the next turn: 10 s and the silence that ended it, nothing lost.
    assert 10_000 * 32 <= heard[1] <= (10_000 + 1500) * 32
    turns = [turn async for turn in Turn.objects.filter(conversation__player__player_id="ana").order_by("index")]
    assert [turn.audio_in_ms for turn in turns][0] == settings.UTTERANCE_MAX_SECONDS * 1000
    assert all(turn.audio_in_ms <= settings.UTTERANCE_MAX_SECONDS * 1000 for turn in turns)
    await _still_open(socket)
    await socket.disconnect(timeout=10)
