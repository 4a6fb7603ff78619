"""The voice session without a socket: handed its engines and a recording transport,
so nothing global is patched."""

import asyncio
import json

import pytest

from conversations.messages import Ping, ProtocolError, SessionConfig, TypedText
from conversations.models import Conversation, Turn
from conversations.protocol import server_event_validate
from conversations.tests.helpers import ScriptedLanguageModel, assert_canonical_wav
from conversations.voice_session import (
    CLOSE_RATE_LIMITED,
    ERROR_LIMIT,
    HandsFreeVoiceSession,
    PushToTalkSession,
    VoiceActivityUnavailable,
)
from engines.errors import EngineUnavailableError
from engines.interfaces import Audio
from npcs.tests.factories import NPCFactory
from players.tests.factories import PlayerFactory

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_test_db", "grammar_worker", "grammar_checks_settled"),
]

TONE = Audio(pcm=b"\x10\x00" * 1600, sample_rate=22050)


class SilentTTS:
    """Test double: 0.07 s of audio per sentence, remembering what it was asked to say."""

    name = "silent"

    def __init__(self) -> None:
        self.sentences: list[str] = []

    async def synthesize(self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0) -> Audio:
        self.sentences.append(text)
        return TONE


class MissingVAD:
    async def ensure_loaded(self) -> None:
        raise EngineUnavailableError("onnxruntime is not installed")


class HandedEngines:
    """The engine set a session is given: here, test doubles only."""

    def __init__(self, *, llm, tts, vad=None) -> None:
        self._llm, self._tts, self._vad = llm, tts, vad or MissingVAD()

    def stt(self):
        raise AssertionError("no speech in these tests")

    def vad(self):
        return self._vad

    def llm(self, name=None):
        return self._llm

    def tts_for(self, language, voices=None):
        return self._tts, None


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: list[dict | bytes] = []
        self.closed_with: list[int] = []

    async def send_event(self, event: dict) -> None:
        # What goes on the wire must be a valid event of the published schema.
        server_event_validate(json.loads(json.dumps(event)))
        self.sent.append(event)

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)

    async def close(self, code: int) -> None:
        self.closed_with.append(code)

    def events(self, kind: str) -> list[dict]:
        return [item for item in self.sent if isinstance(item, dict) and item["type"] == kind]


@pytest.fixture
def learner_and_npc(db):
    return PlayerFactory(), NPCFactory(language="en")


async def _session(learner_and_npc, *, llm=None, tts=None):
    player, npc = learner_and_npc
    transport = RecordingTransport()
    engines = HandedEngines(
        llm=llm or ScriptedLanguageModel(["Hello there. ", "Fresh bread today!"]), tts=tts or SilentTTS()
    )
    session = await PushToTalkSession.start(engines=engines, transport=transport, player=player, npc=npc)
    return session, transport


async def _turn_done(session) -> None:
    await asyncio.wait_for(session.turn_task, timeout=30)


async def test_a_typed_turn_runs_on_the_engines_the_session_was_given(learner_and_npc):
    tts = SilentTTS()
    session, transport = await _session(learner_and_npc, tts=tts)

    await session.handle(TypedText(type="text", text="Hi, one loaf please."))
    await _turn_done(session)

    assert [e["text"] for e in transport.events("transcription")] == ["Hi, one loaf please."]
    assert tts.sentences == ["Hello there.", "Fresh bread today!"]
    wavs = [item for item in transport.sent if isinstance(item, bytes)]
    assert len(wavs) == 2 and all(assert_canonical_wav(wav) == 22050 for wav in wavs)
    assert transport.events("npc_text")[0]["text"] == "Hello there. Fresh bread today!"
    assert transport.sent[-1]["type"] == "turn_complete"
    turn = await Turn.objects.aget(conversation=session.conversation)
    assert turn.npc_reply == "Hello there. Fresh bread today!" and turn.engines["llm"] == "scripted"
    await session.close()


async def test_pcm16_output_announces_its_rate_once_per_turn(learner_and_npc):
    session, transport = await _session(learner_and_npc)
    session.configure(SessionConfig(type="config", output="pcm16"))

    await session.handle(TypedText(type="text", text="Hello!"))
    await _turn_done(session)

    assert transport.events("audio_start") == [{"type": "audio_start", "sample_rate": 22050, "encoding": "pcm16"}]
    assert [item for item in transport.sent if isinstance(item, bytes)] == [TONE.pcm, TONE.pcm]
    await session.close()


async def test_after_the_rate_limit_closes_the_socket_nothing_more_is_read_or_sent(learner_and_npc):
    session, transport = await _session(learner_and_npc)

    for _ in range(ERROR_LIMIT + 1):
        await session.protocol_error(ProtocolError("bad_json", "The message is not valid JSON."))
    sent_before = len(transport.sent)
    await session.handle(Ping(type="ping"))
    await session.audio_received(b"\x00\x00" * 160)
    await session.handle(TypedText(type="text", text="Still there?"))

    assert transport.closed_with == [CLOSE_RATE_LIMITED]
    assert transport.events("error")[-1]["code"] == "rate_limited"
    assert len(transport.sent) == sent_before and session.turn_task is None
    await session.close()


async def test_closing_the_session_ends_its_conversation(learner_and_npc):
    session, _ = await _session(learner_and_npc)
    assert await Conversation.objects.filter(pk=session.conversation.pk, ended_at__isnull=True).aexists()

    await session.close()

    assert not await Conversation.objects.filter(pk=session.conversation.pk, ended_at__isnull=True).aexists()


async def test_a_hands_free_session_without_voice_activity_is_refused_before_a_conversation_exists(learner_and_npc):
    player, npc = learner_and_npc
    engines = HandedEngines(llm=ScriptedLanguageModel([]), tts=SilentTTS(), vad=MissingVAD())

    with pytest.raises(VoiceActivityUnavailable):
        await HandsFreeVoiceSession.start(engines=engines, transport=RecordingTransport(), player=player, npc=npc)

    assert not await Conversation.objects.filter(player=player).aexists()
