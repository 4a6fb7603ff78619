"""Engine faults during a turn (issue 13): a language model that hangs, a voice that fails on one
sentence. Each fault is injected by test doubles handed to the socket's session (or the REST
turn) as its engines. The server goes on serving, the client gets an `error` and its
`turn_complete` (every event checked against the protocol's models), and nothing stored is lost."""

import base64
import json

import pytest
from rest_framework.test import APIClient

from conversations.models import Turn
from conversations.signals import turn_recorded
from conversations.tests.helpers import (
    UNITY_FRAME,
    CountingSTT,
    HandedEngines,
    ScriptedLanguageModel,
    SilentTTS,
    assert_canonical_wav,
    audio_of,
    events_of,
    receive_turn,
    stored_turns,
)
from engines.errors import EngineError
from engines.executor import EngineExecutor
from engines.llm_openai import OpenAILLM
from engines.tests.fake_server import FakeServer, Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_test_db")]

SOCKET = "/api/conversations/ws/learner/baker_01"
# The engine timeout these tests run under: long enough for a double that answers at once,
# short enough that a hanging one is given up on quickly.
ENGINE_TIMEOUT_SECONDS = 2
# Three pieces: the first ends at a comma (a long first sentence is cut there), then two sentences.
THREE_SENTENCES = [
    "Good morning to you, my dear friend and neighbour, ",
    "the bread came out of the oven an hour ago. ",
    "Would you like a loaf?",
]
SPOKEN = [piece.strip() for piece in THREE_SENTENCES]


class VoiceFailingOnce(SilentTTS):
    """Test double: cannot synthesize ``sentence`` the first time it is asked to (then can)."""

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.failing = sentence

    async def synthesize(self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0):
        if text == self.failing:
            self.sentences.append(text)
            self.failing = ""
            raise EngineError("the voice model crashed")
        return await super().synthesize(text, language=language, voice=voice, speed=speed)


@pytest.fixture
def engine_timeout(settings):
    settings.VIRTULINGO_ENGINE_TIMEOUT_SECONDS = ENGINE_TIMEOUT_SECONDS


@pytest.fixture
def hand_engines(monkeypatch):
    """Give the sockets' sessions and the REST turns these engines instead of the process's."""

    def hand(**engines) -> HandedEngines:
        handed = HandedEngines(**engines)
        monkeypatch.setattr("conversations.consumers.get_registry", lambda: handed)
        monkeypatch.setattr("conversations.apis.get_registry", lambda: handed)
        return handed

    return hand


@pytest.fixture(autouse=True)
def announced():
    """The turns announced to the grammar room (its own receiver is left out: these tests are
    about the turn, and a check running would race the flush of the test database)."""
    from grammar.receivers import grammar_check_recorded_turn

    turn_ids: list[int] = []

    async def listener(sender, *, turn_id: int, **kwargs) -> None:
        turn_ids.append(turn_id)

    uid = "grammar_check_recorded_turn"
    assert turn_recorded.disconnect(grammar_check_recorded_turn, sender=Turn, dispatch_uid=uid)
    turn_recorded.connect(listener, dispatch_uid="test_engine_faults")
    yield turn_ids
    turn_recorded.disconnect(dispatch_uid="test_engine_faults")
    turn_recorded.connect(grammar_check_recorded_turn, sender=Turn, dispatch_uid=uid)


def types_of(received: list[dict | bytes]) -> list[str]:
    return ["audio" if isinstance(item, bytes) else item["type"] for item in received]


async def next_turn_is_answered(socket) -> list[dict | bytes]:
    """The socket is still served: a typed turn gets its reply and no error."""
    await socket.send_to(text_data=json.dumps({"type": "text", "text": "And two croissants."}))
    received = await receive_turn(socket)
    assert audio_of(received) and not events_of(received, "error")
    assert events_of(received, "transcription")[0]["text"] == "And two croissants."
    return received


# --- a language model that hangs ---------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.usefixtures("engine_timeout")
async def test_a_model_that_never_answers_times_out_and_the_socket_goes_on(baker, connect, hand_engines, announced):
    model = ScriptedLanguageModel(["Of course. ", "Here they are."], hold_after=0)
    hand_engines(llm=model, tts=SilentTTS(), stt=CountingSTT())
    socket = await connect(SOCKET)
    for _ in range(8):  # a spoken turn: the learner's words must survive the fault
        await socket.send_to(bytes_data=UNITY_FRAME)
    await socket.send_to(text_data='{"type":"end_utterance"}')

    received = await receive_turn(socket)

    assert types_of(received) == ["transcription", "error", "turn_complete"]
    error = events_of(received, "error")[0]
    assert error["code"] == "llm_timeout" and "did not answer in time" in error["text"]
    assert model.held.is_set(), "the model was asked and never wrote"
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.FAILED and turn.error_code == "llm_timeout"
    assert turn.transcript == "Two loaves of bread, please." and turn.input_mode == Turn.InputMode.SPEECH
    assert turn.metrics["total_ms"] == received[-1]["metrics"]["total_ms"]
    assert announced == [turn.pk], "the learner's words are checked all the same"

    model.release.set()  # the model answers again
    await next_turn_is_answered(socket)
    _, second = await stored_turns()
    assert second.status == Turn.Status.COMPLETED and second.npc_reply == "Of course. Here they are."


@pytest.mark.asyncio
@pytest.mark.usefixtures("engine_timeout")
async def test_a_model_that_stops_mid_reply_times_out_after_the_sentence_it_wrote(baker, connect, hand_engines):
    model = ScriptedLanguageModel(["Hello there. ", "The bread", " is warm."], hold_after=2)
    hand_engines(llm=model, tts=SilentTTS())
    socket = await connect(SOCKET)

    await socket.send_to(text_data='{"type":"text","text":"Good morning!"}')
    received = await receive_turn(socket)

    # The first sentence is heard (and its text sent), then the error, then turn_complete.
    assert types_of(received) == ["transcription", "audio", "npc_text", "error", "turn_complete"]
    assert assert_canonical_wav(audio_of(received)[0]) == 22050
    assert events_of(received, "npc_text")[0]["text"] == "Hello there."
    assert events_of(received, "error")[0]["code"] == "llm_timeout"
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.FAILED and turn.error_code == "llm_timeout"
    assert turn.transcript == "Good morning!" and turn.npc_reply == "Hello there."
    assert "first_audio_ms" in turn.metrics

    model.release.set()
    await next_turn_is_answered(socket)
    _, second = await stored_turns()
    assert second.status == Turn.Status.COMPLETED and second.npc_reply == "Hello there. The bread is warm."


@pytest.mark.asyncio
async def test_a_served_model_that_times_out_is_an_llm_timeout(baker, connect, hand_engines):
    """The OpenAI-compatible engine's own timeout (the SDK's, shorter here than the engine
    timeout) reaches the client as the same code."""
    with FakeServer() as server:
        server.script(Reply(body=[], delay=3, sse_done=True))
        llm = OpenAILLM(
            executor=EngineExecutor(workers=1, timeout=1),
            base_url=f"{server.url}/v1",
            api_key="sk-test",
            model="qwen2.5:7b",
            timeout=1,
            retries=1,
        )
        hand_engines(llm=llm, tts=SilentTTS())
        socket = await connect(SOCKET)

        await socket.send_to(text_data='{"type":"text","text":"Hello"}')
        received = await receive_turn(socket)

    assert types_of(received) == ["transcription", "error", "turn_complete"]
    assert events_of(received, "error")[0]["code"] == "llm_timeout"
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.FAILED and turn.error_code == "llm_timeout"
    await socket.send_to(text_data='{"type":"ping"}')
    assert await socket.receive_json_from(timeout=10) == {"type": "pong"}


@pytest.mark.usefixtures("engine_timeout")
def test_a_model_that_stops_mid_reply_over_rest(npc, hand_engines):
    model = ScriptedLanguageModel(["Hello there. ", "The bread", " is warm."], hold_after=2)
    hand_engines(llm=model, tts=SilentTTS())
    api, url = APIClient(), f"/api/conversations/learner/{npc.npc_id}/conversation"

    response = api.post(url, {"text": "Good morning", "audio": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["error"]["code"] == "llm_timeout" and body["reply"] == "Hello there."
    assert len(body["audio_wav_base64"]) == 1 and body["metrics"]["total_ms"] >= 0
    turn = Turn.objects.get(uuid=body["turn_id"])
    assert turn.status == Turn.Status.FAILED and turn.error_code == "llm_timeout"
    assert turn.transcript == "Good morning" and turn.npc_reply == "Hello there."

    model.release.set()
    again = api.post(url, {"text": "Good morning"}, format="json").json()
    assert again["error"] is None and again["reply"] == "Hello there. The bread is warm."


@pytest.mark.asyncio
async def test_a_model_that_breaks_mid_reply_is_reported_not_taken_for_the_end_of_the_reply(
    baker, connect, hand_engines
):
    class BrokenModel(ScriptedLanguageModel):
        async def stream(self, messages, **kwargs):
            yield "Hello there. "
            yield "The bread"
            raise KeyError("choices")  # a bug in an engine, not one of its errors

    hand_engines(llm=BrokenModel([]), tts=SilentTTS())
    socket = await connect(SOCKET)

    await socket.send_to(text_data='{"type":"text","text":"Hello"}')
    received = await receive_turn(socket)

    assert types_of(received) == ["transcription", "audio", "npc_text", "error", "turn_complete"]
    assert events_of(received, "error")[0]["code"] == "server_error"
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.FAILED and turn.error_code == "server_error"
    assert turn.npc_reply == "Hello there."


# --- a voice that fails on one sentence ----------------------------------------------------


@pytest.mark.asyncio
async def test_a_sentence_that_cannot_be_synthesized_is_skipped_and_the_others_are_spoken(
    baker, connect, hand_engines, announced
):
    tts = VoiceFailingOnce(SPOKEN[1])
    hand_engines(llm=ScriptedLanguageModel(THREE_SENTENCES), tts=tts)
    socket = await connect(SOCKET)

    await socket.send_to(text_data='{"type":"text","text":"Is the bread fresh?"}')
    received = await receive_turn(socket)

    # Sentences 1 and 3 are heard; sentence 2 is one error, and its text is in the reply.
    assert types_of(received) == ["transcription", "audio", "error", "audio", "npc_text", "turn_complete"]
    assert tts.sentences == SPOKEN
    error = events_of(received, "error")[0]
    assert error["code"] == "tts_failed" and "the voice model crashed" in error["text"]
    assert events_of(received, "npc_text")[0]["text"] == " ".join(SPOKEN)
    assert "interrupted" not in received[-1]
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.COMPLETED and turn.error_code == "tts_failed"
    assert turn.npc_reply == " ".join(SPOKEN)
    assert announced == [turn.pk]

    received = await next_turn_is_answered(socket)
    assert len(audio_of(received)) == 3
    _, second = await stored_turns()
    assert second.status == Turn.Status.COMPLETED and second.error_code == ""


def test_a_sentence_that_cannot_be_synthesized_over_rest(npc, hand_engines):
    hand_engines(llm=ScriptedLanguageModel(THREE_SENTENCES), tts=VoiceFailingOnce(SPOKEN[1]))

    body = (
        APIClient()
        .post(f"/api/conversations/learner/{npc.npc_id}/conversation", {"text": "Hi", "audio": True}, format="json")
        .json()
    )

    assert body["error"]["code"] == "tts_failed" and body["reply"] == " ".join(SPOKEN)
    wavs = [base64.b64decode(item) for item in body["audio_wav_base64"]]
    assert len(wavs) == 2
    turn = Turn.objects.get(uuid=body["turn_id"])
    assert turn.status == Turn.Status.COMPLETED and turn.error_code == "tts_failed"


@pytest.mark.asyncio
async def test_a_voice_that_fails_on_every_sentence_still_completes_the_turn(baker, connect, hand_engines):
    class BrokenVoice(SilentTTS):
        async def synthesize(self, text: str, **kwargs):
            raise RuntimeError("segmentation fault in the vocoder")  # not even an engine error

    hand_engines(llm=ScriptedLanguageModel(["Hello there. ", "Fresh bread today!"]), tts=BrokenVoice())
    socket = await connect(SOCKET)

    await socket.send_to(text_data='{"type":"text","text":"Hello"}')
    received = await receive_turn(socket)

    assert types_of(received) == ["transcription", "error", "error", "npc_text", "turn_complete"]
    assert {event["code"] for event in events_of(received, "error")} == {"tts_failed"}
    (turn,) = await stored_turns()
    assert turn.status == Turn.Status.COMPLETED and turn.error_code == "tts_failed"
    assert turn.npc_reply == "Hello there. Fresh bread today!"
