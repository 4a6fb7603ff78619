"""The limits of what one socket, and one player, may hold or send (docs/PROTOCOL.md, "Limits")."""

import pytest

from conversations.consumers import CLOSE_TOO_MANY_SOCKETS, OPEN_SOCKETS
from conversations.messages import Ping, ProtocolError, client_message_parse
from conversations.models import Conversation
from conversations.tests.helpers import CheckedCommunicator, ScriptedLanguageModel
from conversations.tests.test_voice_session import (  # noqa: F401 (fixtures)
    HandedEngines,
    RecordingTransport,
    SilentTTS,
    no_grammar_checks,
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
