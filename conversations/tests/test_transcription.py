"""Transcription that starts at the learner's pauses."""

import asyncio

import pytest

from conversations.transcription import MIN_PIECE_MS, UtteranceTranscriber, transcript_pieces_join
from engines.errors import EngineTimeoutError
from engines.interfaces import Transcript

BYTES_PER_MS = 32


class RecordingSTT:
    """Test double: 'transcribes' a piece as its length in ms, and records every call."""

    def __init__(self, *, fail_first: bool = False) -> None:
        self.calls: list[int] = []
        self.release = asyncio.Event()
        self.release.set()
        self.fail_first = fail_first

    async def transcribe(self, pcm: bytes, *, language: str, **_) -> Transcript:
        self.calls.append(len(pcm) // BYTES_PER_MS)
        await self.release.wait()
        if self.fail_first and len(self.calls) == 1:
            raise EngineTimeoutError("speech-to-text did not finish")
        return Transcript(text=f"{len(pcm) // BYTES_PER_MS}ms.", language=language, audio_seconds=0.0)


def audio(ms: int) -> bytes:
    return bytes(ms * BYTES_PER_MS)


@pytest.mark.asyncio
async def test_pieces_at_pauses_leave_only_the_rest_for_the_end():
    stt = RecordingSTT()
    transcriber = UtteranceTranscriber(stt=stt, language="en")
    utterance = audio(3000)
    transcriber.pause(pcm=utterance[: 1500 * BYTES_PER_MS], cut=1500 * BYTES_PER_MS)
    await asyncio.sleep(0)
    assert await transcriber.finish(pcm=utterance) == "1500ms 1500ms."
    assert stt.calls == [1500, 1500]


@pytest.mark.asyncio
async def test_a_pause_during_a_running_piece_is_taken_when_it_finishes():
    stt = RecordingSTT()
    stt.release.clear()
    transcriber = UtteranceTranscriber(stt=stt, language="en")
    utterance = audio(5000)
    transcriber.pause(pcm=utterance, cut=1200 * BYTES_PER_MS)
    await asyncio.sleep(0)
    transcriber.pause(pcm=utterance, cut=2400 * BYTES_PER_MS)
    transcriber.pause(pcm=utterance, cut=3600 * BYTES_PER_MS)  # replaces the waiting one
    assert transcriber.busy
    stt.release.set()
    while transcriber.busy:
        await asyncio.sleep(0)
    assert stt.calls == [1200, 2400]
    assert transcriber.text_so_far == "1200ms 2400ms."
    assert await transcriber.finish(pcm=utterance) == "1200ms 2400ms 1400ms."


@pytest.mark.asyncio
async def test_a_piece_shorter_than_the_minimum_waits_for_a_later_pause():
    stt = RecordingSTT()
    transcriber = UtteranceTranscriber(stt=stt, language="en")
    utterance = audio(4000)
    transcriber.pause(pcm=utterance, cut=(MIN_PIECE_MS - 100) * BYTES_PER_MS)
    await asyncio.sleep(0)
    assert stt.calls == []
    assert await transcriber.finish(pcm=utterance) == "4000ms."


@pytest.mark.asyncio
async def test_a_failed_piece_is_redone_with_the_rest():
    stt = RecordingSTT(fail_first=True)
    transcriber = UtteranceTranscriber(stt=stt, language="en")
    utterance = audio(3000)
    transcriber.pause(pcm=utterance, cut=1500 * BYTES_PER_MS)
    await asyncio.sleep(0)
    assert await transcriber.finish(pcm=utterance) == "3000ms."


@pytest.mark.asyncio
async def test_preview_does_not_keep_what_it_heard():
    stt = RecordingSTT()
    transcriber = UtteranceTranscriber(stt=stt, language="en")
    assert await transcriber.preview(pcm=audio(1000)) == "1000ms."
    assert transcriber.text_so_far == ""
    assert await transcriber.finish(pcm=audio(2000)) == "2000ms."


@pytest.mark.asyncio
async def test_cancel_stops_the_running_piece():
    stt = RecordingSTT()
    stt.release.clear()
    transcriber = UtteranceTranscriber(stt=stt, language="en")
    transcriber.pause(pcm=audio(2000), cut=1500 * BYTES_PER_MS)
    await asyncio.sleep(0)
    await transcriber.cancel()
    assert not transcriber.busy


@pytest.mark.parametrize(
    ("pieces", "joined"),
    [
        (
            ["I would like some bread.", "And two croissants, please."],
            "I would like some bread And two croissants, please.",
        ),
        (["Where is the station?", "I am lost."], "Where is the station? I am lost."),
        (["Well...", "I think so."], "Well... I think so."),
        (["I went home.", "I slept."], "I went home I slept."),
        (["Yesterday.", "", "Paris is big."], "Yesterday Paris is big."),
    ],
)
def test_pieces_join_like_one_sentence(pieces, joined):
    assert transcript_pieces_join(pieces) == joined
