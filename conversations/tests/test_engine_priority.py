"""Each stage of the voice loop asks the engines at the priority of what the learner waits for
(issue 14, part 3): the engines' pool and the model's lock then serve the most urgent first."""

import asyncio

import pytest

from conversations.orchestrator import ReplyInProgress
from conversations.tests.helpers import ScriptedLanguageModel
from conversations.transcription import UtteranceTranscriber
from engines.interfaces import Audio, ChatMessage, Transcript
from engines.scheduling import Priority, current_priority, engine_priority
from vocabulary.audio import SPEECH_SAMPLE_RATE

pytestmark = pytest.mark.asyncio

SECOND = SPEECH_SAMPLE_RATE * 2  # bytes of 16 kHz PCM16


class PriorityRecordingModel(ScriptedLanguageModel):
    def __init__(self, deltas) -> None:
        super().__init__(deltas)
        self.priorities: list[Priority] = []

    async def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 200):
        self.priorities.append(current_priority())
        async for delta in super().stream(messages, temperature=temperature, max_tokens=max_tokens):
            yield delta


class PriorityRecordingVoice:
    def __init__(self) -> None:
        self.spoken: list[tuple[str, Priority]] = []

    async def synthesize(self, text: str, *, language: str, voice=None, speed: float = 1.0) -> Audio:
        self.spoken.append((text, current_priority()))
        return Audio(pcm=b"\x00\x00" * 160, sample_rate=16000)


class PriorityRecordingSTT:
    def __init__(self) -> None:
        self.heard: list[tuple[int, Priority]] = []

    async def transcribe(self, pcm: bytes, *, language: str) -> Transcript:
        self.heard.append((len(pcm), current_priority()))
        return Transcript(text="Bonjour", language=language, audio_seconds=len(pcm) / SECOND)


async def reply_spoken(reply: ReplyInProgress) -> list[str]:
    sentences = []
    while (item := await asyncio.wait_for(reply.next(), 10)) is not None:
        sentences.append(item.text)
    return sentences


def new_reply(model, voice) -> ReplyInProgress:
    return ReplyInProgress(
        llm=model,
        tts=voice,
        voice=None,
        speed=1.0,
        language="en",
        messages=[ChatMessage("user", "Hi")],
        token_timeout=10,
    )


async def test_a_turns_reply_asks_the_model_and_its_first_sentence_first_and_the_later_sentences_after():
    model = PriorityRecordingModel(["Hello there. ", "Fresh bread today."])
    voice = PriorityRecordingVoice()
    reply = new_reply(model, voice)

    assert await reply_spoken(reply) == ["Hello there.", "Fresh bread today."]
    assert model.priorities == [Priority.FIRST_AUDIO]
    assert [priority for _, priority in voice.spoken] == [Priority.FIRST_AUDIO, Priority.REPLY_REST]


async def test_a_speculative_reply_waits_behind_real_turns_until_a_turn_adopts_it():
    model = PriorityRecordingModel(["Hello there. ", "Fresh bread today."])
    model.hold_after = 1  # the learner's turn ends while the model writes
    voice = PriorityRecordingVoice()
    with engine_priority(Priority.REPLY_REST):
        reply = new_reply(model, voice)
    await asyncio.wait_for(model.held.wait(), 10)
    await asyncio.sleep(0)
    assert model.priorities == [Priority.REPLY_REST]

    reply.priority = Priority.FIRST_AUDIO  # what attach() does when the turn adopts it
    model.release.set()
    assert await reply_spoken(reply) == ["Hello there.", "Fresh bread today."]
    # The first sentence was synthesized as a speculation or as the turn's, never later than that.
    assert voice.spoken[0][1] in (Priority.REPLY_REST, Priority.FIRST_AUDIO)
    assert voice.spoken[1][1] == Priority.REPLY_REST


async def test_partial_transcripts_are_background_work_and_the_end_of_the_utterance_is_not():
    stt = PriorityRecordingSTT()
    transcriber = UtteranceTranscriber(stt=stt, language="fr")
    utterance = b"\x00\x00" * SPEECH_SAMPLE_RATE * 3

    await transcriber.preview(pcm=utterance[:SECOND])
    transcriber.pause(pcm=utterance[: 2 * SECOND], cut=2 * SECOND)  # a piece at a pause
    assert await transcriber.transcript_until(2 * SECOND) == "Bonjour"
    await transcriber.finish(pcm=utterance)

    assert [priority for _, priority in stt.heard] == [Priority.BACKGROUND, Priority.FIRST_AUDIO, Priority.FIRST_AUDIO]
