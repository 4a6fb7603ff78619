"""The voice session without a socket: handed its engines and a recording transport,
so nothing global is patched."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from conversations.messages import EndUtterance, Ping, ProtocolError, SessionConfig, TypedText
from conversations.models import Conversation, Turn
from conversations.orchestrator import SPECULATION
from conversations.signals import turn_recorded
from conversations.tests.helpers import (
    TONE,
    UNITY_FRAME,
    CountingSTT,
    HandedEngines,
    MissingVAD,
    RecordingTransport,
    ScriptedLanguageModel,
    ScriptedVAD,
    SilentTTS,
    assert_canonical_wav,
    silence,
    voiced,
)
from conversations.voice_session import (
    CLOSE_RATE_LIMITED,
    ERROR_LIMIT,
    HandsFreeVoiceSession,
    PushToTalkSession,
    VoiceActivityUnavailable,
)
from engines.interfaces import Transcript
from engines.scheduling import Priority, current_priority
from npcs.models import NPC
from npcs.tests.factories import NPCFactory
from players.tests.factories import PlayerFactory

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_test_db", "no_grammar_checks"),
]


@pytest.fixture
def learner_and_npc(db):
    return PlayerFactory(), NPCFactory(language="en")


async def _session(learner_and_npc, *, llm=None, tts=None, stt=None, vad=None):
    player, npc = learner_and_npc
    transport = RecordingTransport()
    engines = HandedEngines(
        llm=llm or ScriptedLanguageModel(["Hello there. ", "Fresh bread today!"]),
        tts=tts or SilentTTS(),
        stt=stt,
        vad=vad,
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


async def test_the_prompt_tells_of_the_scene_in_the_npcs_language_for_an_npc_read_any_way(db):
    """A session may be handed an NPC read without its scene's translations (not through
    npc_get_active): the turn loads them off the event loop instead of failing the turn."""
    from npcs.models import SceneTranslation

    npc = await database_sync_to_async(NPCFactory)(language="fr")
    await SceneTranslation.objects.acreate(
        scene_id=npc.scene_id, language="fr", name="Boulangerie", description="Une petite boulangerie."
    )
    npc = await NPC.objects.select_related("scene").aget(pk=npc.pk)  # translations not loaded
    llm = ScriptedLanguageModel(["Bonjour !"])
    player = await database_sync_to_async(PlayerFactory)()
    session, transport = await _session((player, npc), llm=llm)

    await session.handle(TypedText(type="text", text="Bonjour, une baguette."))
    await _turn_done(session)

    assert transport.sent[-1]["type"] == "turn_complete" and not transport.events("error")
    assert "Une petite boulangerie." in llm.messages[0].content
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


async def test_holding_the_talk_key_past_the_limit_is_answered_not_punished(learner_and_npc):
    stt = CountingSTT()
    session, transport = await _session(learner_and_npc, stt=stt)
    limit_bytes = session.buffer.max_bytes

    for _ in range(36 * 1000 // 256):  # 36 s at the client's pace, well past ERROR_LIMIT frames over
        await session.audio_received(UNITY_FRAME)
    await session.handle(EndUtterance(type="end_utterance"))
    await _turn_done(session)

    (told,) = transport.events("error")
    assert told["code"] == "utterance_too_long" and "30 s" in told["message"]
    assert transport.closed_with == [] and session.listening
    assert stt.heard_bytes == [limit_bytes], "the first 30 s are transcribed"
    assert transport.events("turn_complete") and transport.events("npc_text")[0]["text"]
    # The next utterance starts fresh: no error for it.
    for _ in range(4):
        await session.audio_received(UNITY_FRAME)
    await session.handle(EndUtterance(type="end_utterance"))
    await _turn_done(session)
    assert len(transport.events("error")) == 1 and stt.heard_bytes[-1] == 4 * len(UNITY_FRAME)
    await session.close()


async def test_a_client_gone_right_after_end_utterance_still_has_its_words_stored_and_checked(learner_and_npc):
    announced: list[int] = []

    async def listener(sender, *, turn_id: int, **kwargs) -> None:
        announced.append(turn_id)

    turn_recorded.connect(listener, dispatch_uid="test_listener")
    stt, llm = CountingSTT(held=True), ScriptedLanguageModel(["Of course."])
    session, transport = await _session(learner_and_npc, stt=stt, llm=llm)
    for _ in range(8):
        await session.audio_received(UNITY_FRAME)
    await session.handle(EndUtterance(type="end_utterance"))

    closing = asyncio.create_task(session.close())  # the socket closed while speech-to-text runs
    await asyncio.sleep(0)
    stt.release.set()
    await asyncio.wait_for(closing, 30)
    turn_recorded.disconnect(dispatch_uid="test_listener")

    turn = await Turn.objects.aget(conversation=session.conversation)
    assert turn.transcript == "Two loaves of bread, please." and turn.status == Turn.Status.INTERRUPTED
    assert announced == [turn.pk], "the grammar room hears of it"
    assert llm.messages == [], "no reply is written for a client that went away"


async def test_speech_of_an_unfinished_utterance_is_kept_when_the_client_goes(learner_and_npc):
    stt = CountingSTT()
    session, _ = await _session(learner_and_npc, stt=stt)
    for _ in range(8):  # 2 s of speech, then the socket drops before end_utterance
        await session.audio_received(UNITY_FRAME)

    await session.close()

    turn = await Turn.objects.aget(conversation=session.conversation)
    assert turn.transcript == "Two loaves of bread, please." and stt.heard_bytes == [8 * len(UNITY_FRAME)]


async def test_a_turn_waiting_behind_a_running_one_is_kept_when_the_client_goes(learner_and_npc):
    llm = ScriptedLanguageModel(["Hello. ", "And more."], hold_after=1)
    session, _ = await _session(learner_and_npc, llm=llm, stt=CountingSTT())
    await session.handle(TypedText(type="text", text="First."))
    await asyncio.wait_for(llm.held.wait(), 30)
    for _ in range(8):
        await session.audio_received(UNITY_FRAME)
    await session.handle(EndUtterance(type="end_utterance"))  # waits behind the first turn

    await session.close()

    turns = [turn async for turn in Turn.objects.filter(conversation=session.conversation).order_by("index")]
    assert [turn.transcript for turn in turns] == ["First.", "Two loaves of bread, please."]
    assert all(turn.status == Turn.Status.INTERRUPTED for turn in turns)


class PiecewiseSTT:
    """Test double: the n-th transcription hears the n-th text."""

    name = "piecewise"

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        self.heard_bytes: list[int] = []

    async def transcribe(self, pcm: bytes, *, language: str) -> Transcript:
        self.heard_bytes.append(len(pcm))
        return Transcript(text=self.texts[len(self.heard_bytes) - 1], language=language, audio_seconds=0.0)


class CountingLanguageModel(ScriptedLanguageModel):
    """Test double: remembers the learner's words of every reply it was asked to write."""

    def __init__(self, deltas) -> None:
        super().__init__(deltas)
        self.asked: list[str] = []
        self.priorities: list[Priority] = []  # the engines' priority each reply was asked at

    async def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 200):
        self.asked.append(messages[-1].content)
        self.priorities.append(current_priority())
        async for delta in super().stream(messages, temperature=temperature, max_tokens=max_tokens):
            yield delta


async def _feed(session, pcm: bytes) -> None:
    for start in range(0, len(pcm), len(UNITY_FRAME)):
        await session.audio_received(pcm[start : start + len(UNITY_FRAME)])


async def test_a_reply_begun_at_the_pause_is_sent_when_the_turn_ends_there(learner_and_npc):
    stt, llm = PiecewiseSTT("Two loaves, please."), CountingLanguageModel(["Here you are. ", "Anything else?"])
    session, transport = await _session(learner_and_npc, stt=stt, llm=llm, vad=ScriptedVAD())
    hits = SPECULATION.hits

    await _feed(session, voiced(1500) + silence(512))  # the learner pauses, the key still held
    await asyncio.wait_for(asyncio.shield(session.speculation), 10)
    await asyncio.sleep(0.2)  # let the begun reply write and synthesize (it must not be sent)
    assert llm.asked == ["Two loaves, please."], "the reply is begun during the pause"
    assert transport.sent == [], "nothing of it is sent before the turn ends"

    await session.handle(EndUtterance(type="end_utterance"))
    await _turn_done(session)

    (heard,) = stt.heard_bytes
    assert len(voiced(1500)) < heard < len(voiced(1500) + silence(512)), "speech-to-text ran once, up to the pause"
    assert llm.asked == ["Two loaves, please."], "the reply was not written twice"
    assert llm.priorities == [Priority.REPLY_REST], "begun as a guess, behind other learners' turns"
    assert [e["text"] for e in transport.events("transcription")] == ["Two loaves, please."]
    assert len([item for item in transport.sent if isinstance(item, bytes)]) == 2
    metrics = transport.events("turn_complete")[0]["metrics"]
    assert metrics["speculation"] == "hit" and metrics["stt_ms"] <= metrics["first_audio_ms"]
    assert SPECULATION.hits == hits + 1
    turn = await Turn.objects.aget(conversation=session.conversation)
    assert turn.transcript == "Two loaves, please." and turn.npc_reply == "Here you are. Anything else?"
    await session.close()


async def test_a_reply_begun_at_a_pause_is_dropped_unsent_when_the_learner_goes_on(learner_and_npc):
    stt = PiecewiseSTT("Two loaves,", "and a croissant.")
    llm = CountingLanguageModel(["Of course."])
    session, transport = await _session(learner_and_npc, stt=stt, llm=llm, vad=ScriptedVAD())
    misses = SPECULATION.misses

    await _feed(session, voiced(1500) + silence(512))
    await asyncio.wait_for(asyncio.shield(session.speculation), 10)
    await _feed(session, voiced(1200))  # the learner goes on: the speculation is dropped
    assert session.speculation is None
    await session.handle(EndUtterance(type="end_utterance"))
    await _turn_done(session)

    assert llm.asked[-1] == "Two loaves, and a croissant."
    assert llm.priorities == [Priority.REPLY_REST, Priority.FIRST_AUDIO], "the guess, then the turn's reply"
    assert [e["text"] for e in transport.events("transcription")] == ["Two loaves, and a croissant."]
    assert len([item for item in transport.sent if isinstance(item, bytes)]) == 1, "only the real reply's audio"
    assert "speculation" not in transport.events("turn_complete")[0]["metrics"]
    assert SPECULATION.misses == misses + 1
    turn = await Turn.objects.aget(conversation=session.conversation)
    assert turn.npc_reply == "Of course."
    await session.close()
