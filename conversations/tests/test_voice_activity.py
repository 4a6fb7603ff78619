"""Speech, pauses and ends of turn from voice activity, in audio time."""

import pytest

from conversations.tests.helpers import ScriptedVoiceActivity, silence, voiced
from conversations.voice_activity import (
    MIN_SPEECH_MS,
    PAUSE_MS,
    PRE_ROLL_MS,
    WINDOW_BYTES,
    WINDOW_MS,
    SpeechEnded,
    SpeechPaused,
    SpeechStarted,
    SpeechTracker,
)


def feed_in_frames(tracker: SpeechTracker, pcm: bytes, frame_bytes: int = 8192) -> list:
    events = []
    for start in range(0, len(pcm), frame_bytes):
        events += tracker.feed(pcm[start : start + frame_bytes])
    return events


def stream_tracker(end_silence_ms: int = 704, **kwargs) -> SpeechTracker:
    return SpeechTracker(vad=ScriptedVoiceActivity(), end_silence_ms=end_silence_ms, **kwargs)


def test_speech_starts_after_min_speech_and_ends_after_the_silence():
    tracker = stream_tracker()
    events = feed_in_frames(tracker, silence(1024) + voiced(1024) + silence(1024))
    # The silence is a pause (worth transcribing up to) before it is the end of the turn.
    assert [type(e) for e in events] == [SpeechStarted, SpeechPaused, SpeechEnded]
    ended = events[-1]
    # Pre-roll, the speech, and the silence up to the end of turn.
    assert len(ended.pcm) == (PRE_ROLL_MS + 1024 + 704) * 32
    assert ended.pcm[: PRE_ROLL_MS * 32] == silence(PRE_ROLL_MS)
    assert ended.trailing_silence_ms >= 704
    assert not tracker.speaking


def test_a_click_shorter_than_min_speech_is_not_speech():
    tracker = stream_tracker()
    events = feed_in_frames(tracker, silence(512) + voiced(MIN_SPEECH_MS - WINDOW_MS) + silence(2048))
    assert events == []


def test_a_pause_shorter_than_the_end_silence_is_reported_once_and_the_turn_goes_on():
    tracker = stream_tracker()
    events = feed_in_frames(tracker, voiced(1024) + silence(512) + voiced(1024) + silence(1024))
    assert [type(e) for e in events] == [SpeechStarted, SpeechPaused, SpeechPaused, SpeechEnded]
    pause, ended = events[1], events[3]
    # The cut falls inside the pause, PAUSE_MS after the last voiced window.
    assert (1024 + PAUSE_MS) * 32 <= pause.cut <= (1024 + 512) * 32
    assert pause.pcm == ended.pcm[: pause.cut]
    assert len(ended.pcm) == (1024 + 512 + 1024 + 704) * 32


def test_trailing_silence_counts_the_rest_of_the_frame_that_ended_the_turn():
    tracker = stream_tracker(end_silence_ms=704)
    # One big frame: the end is found inside it, but known only when all of it has arrived.
    (started, paused, ended) = tracker.feed(voiced(512) + silence(2000))
    assert isinstance(ended, SpeechEnded)
    # The pause's audio is its own: the end of the turn in the same frame did not take it away.
    assert paused.pcm == ended.pcm[: paused.cut] and len(paused.pcm) >= (512 + PAUSE_MS) * 32
    assert ended.trailing_silence_ms == 2000


def test_between_utterances_only_the_pre_roll_is_kept():
    tracker = stream_tracker()
    feed_in_frames(tracker, silence(60_000))
    assert len(tracker.utterance) <= PRE_ROLL_MS * 32


@pytest.mark.parametrize("frame_bytes", [8192, 5000 * 32], ids=["unity-frames", "one-burst"])
def test_a_monologue_longer_than_the_limit_is_cut_into_turns_at_exactly_the_limit(frame_bytes):
    tracker = stream_tracker(max_utterance_ms=3000)
    events = feed_in_frames(tracker, voiced(5000) + silence(1000), frame_bytes=frame_bytes)
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(ended) == 2
    # However big the frames, the first turn is the limit to the byte, and not one byte of the
    # speech is lost: the rest of it is the next turn (up to its end of turn).
    assert len(ended[0].pcm) == 3000 * 32 and ended[0].trailing_silence_ms == 0
    assert ended[0].pcm + ended[1].pcm == (voiced(5000) + silence(1000))[: len(ended[0].pcm) + len(ended[1].pcm)]
    assert len(ended[1].pcm) >= 2000 * 32


def test_take_forces_the_end_and_gives_nothing_when_no_one_spoke():
    tracker = stream_tracker()
    feed_in_frames(tracker, silence(512))
    assert tracker.take() == b""
    feed_in_frames(tracker, voiced(1024))
    assert len(tracker.take()) >= 1024 * 32
    assert tracker.utterance == b""


def test_push_to_talk_pauses_are_offsets_into_the_current_utterance():
    tracker = SpeechTracker(vad=ScriptedVoiceActivity(), end_silence_ms=None)
    first = feed_in_frames(tracker, voiced(1024) + silence(1024))
    assert [type(e) for e in first] == [SpeechStarted, SpeechPaused]
    tracker.start_utterance()
    second = feed_in_frames(tracker, voiced(1024) + silence(512), frame_bytes=WINDOW_BYTES)
    (pause,) = [e for e in second if isinstance(e, SpeechPaused)]
    # Counted from the start of the second utterance, not of the stream.
    assert (1024 + PAUSE_MS) * 32 <= pause.cut <= (1024 + PAUSE_MS + WINDOW_MS) * 32
    assert tracker.utterance == b""  # push-to-talk: the consumer's buffer holds the audio


@pytest.mark.django_db
def test_silero_finds_real_speech_and_ignores_silence(engines, speech):
    tracker = SpeechTracker(vad=engines.vad().stream(), end_silence_ms=704)
    assert feed_in_frames(tracker, silence(3000)) == []
    events = feed_in_frames(tracker, speech("Good morning, I would like some bread.") + silence(1500))
    assert [type(e) for e in events if not isinstance(e, SpeechPaused)] == [SpeechStarted, SpeechEnded]
    assert events[-1].trailing_silence_ms >= 704
