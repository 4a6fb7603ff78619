"""Where the learner speaks, pauses and stops, from the speech probabilities of
consecutive 32 ms windows (Silero VAD), measured in audio time.

Both endpoints use it: push-to-talk to find pauses worth transcribing while the
learner is still talking, the stream endpoint also to start and end utterances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conversations.audio import UTTERANCE_MAX_SECONDS
from engines.vad_silero import WINDOW_SAMPLES, VoiceActivityStream
from vocabulary.audio import SAMPLE_WIDTH, SPEECH_SAMPLE_RATE

WINDOW_MS = WINDOW_SAMPLES * 1000 // SPEECH_SAMPLE_RATE
WINDOW_BYTES = WINDOW_SAMPLES * SAMPLE_WIDTH

SPEECH_THRESHOLD = 0.5
# Silero's own recommendation: leave speech only when clearly below the threshold.
SILENCE_THRESHOLD = 0.35
# Voiced audio needed before it counts as speech: a click or a cough is shorter.
MIN_SPEECH_MS = 160
# A pause long enough to transcribe what came before it while the learner goes on.
PAUSE_MS = 320
# Audio kept from before the detected start, so the first syllable is not cut.
PRE_ROLL_MS = 320


@dataclass(frozen=True)
class SpeechStarted:
    pass


@dataclass(frozen=True)
class SpeechPaused:
    """The utterance audio up to ``cut`` bytes is complete: the learner paused there.
    On the stream endpoint ``pcm`` is that audio (the tracker may drop it before the
    event is handled: one big frame can hold a pause and the end of the turn)."""

    cut: int
    pcm: bytes = b""


@dataclass(frozen=True)
class SpeechEnded:
    """End of turn: ``pcm`` is the utterance; ``trailing_silence_ms`` the audio received
    after its last voiced window (the silence waited for, plus the rest of the frame)."""

    pcm: bytes
    trailing_silence_ms: int


VoiceEvent = SpeechStarted | SpeechPaused | SpeechEnded


def pcm16_to_float32(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


async def speech_tracker_build(*, vad, end_silence_ms: int | None) -> SpeechTracker:
    """A tracker on a Silero model (loaded in the engines' executor on first use)."""
    await vad.ensure_loaded()
    return SpeechTracker(vad=vad.stream(), end_silence_ms=end_silence_ms)


class SpeechTracker:
    """Follows one continuous audio stream (16 kHz PCM16) and reports speech, pauses
    and, when ``end_silence_ms`` is set, the end of each utterance.

    With ``end_silence_ms`` set (stream endpoint) the tracker keeps the utterance
    audio: from ``PRE_ROLL_MS`` before the detected speech to the end of turn, at
    most ``max_utterance_ms`` (longer speech is cut into turns at exactly that length,
    however big the frames it came in). Without it
    (push-to-talk) the client delimits utterances, and pauses are byte offsets into
    the audio fed since the last :meth:`start_utterance`.
    """

    def __init__(
        self,
        *,
        vad: VoiceActivityStream,
        end_silence_ms: int | None = None,
        max_utterance_ms: int = round(UTTERANCE_MAX_SECONDS * 1000),
    ) -> None:
        self.vad = vad
        self.end_silence_ms = end_silence_ms
        self.max_utterance_bytes = max_utterance_ms * SPEECH_SAMPLE_RATE // 1000 * SAMPLE_WIDTH
        self.speaking = False
        self._fed = 0  # bytes of the stream fed so far
        self._scored = 0  # bytes of the stream the VAD has scored (whole windows)
        self._audio = bytearray()  # stream endpoint: the utterance, or the pre-roll between utterances
        self._audio_start = 0  # stream offset of _audio[0]; push-to-talk: of the current utterance
        self._voiced_ms = 0
        self._silent_ms = 0
        self._voiced_since_cut = False

    @property
    def keeps_audio(self) -> bool:
        return self.end_silence_ms is not None

    @property
    def voiced_since_pause(self) -> bool:
        """Speech came after the last pause (or there was none yet)."""
        return self._voiced_since_cut

    @property
    def utterance(self) -> bytes:
        """Stream endpoint: the current utterance so far."""
        return bytes(self._audio)

    def start_utterance(self) -> None:
        """Push-to-talk: the client ended an utterance; offsets restart at the next byte."""
        self._audio_start = self._fed
        self._voiced_since_cut = False

    def take(self) -> bytes:
        """Stream endpoint, a forced end (``end_utterance``): the utterance so far, if any speech."""
        pcm = bytes(self._audio) if self.speaking else b""
        self._audio_start += len(self._audio)
        self._audio.clear()
        self._end_utterance()
        return pcm

    def feed(self, pcm: bytes) -> list[VoiceEvent]:
        self._fed += len(pcm)
        if self.keeps_audio:
            self._audio += pcm
        events: list[VoiceEvent] = []
        for probability in self.vad.probabilities(pcm16_to_float32(pcm)):
            self._scored += WINDOW_BYTES
            if (event := self._step(probability)) is not None:
                if isinstance(event, SpeechEnded):
                    # The end is known only now, when the whole frame has arrived.
                    after = (self._fed - self._scored) // SAMPLE_WIDTH * 1000 // SPEECH_SAMPLE_RATE
                    event = SpeechEnded(pcm=event.pcm, trailing_silence_ms=event.trailing_silence_ms + after)
                events.append(event)
            # At the window that reaches the limit, not at the end of the frame: however much
            # audio one frame carries, the rest of it is scored for the next utterance.
            if self.keeps_audio and self.speaking and self._scored - self._audio_start >= self.max_utterance_bytes:
                events.append(SpeechEnded(pcm=self._cut_at_limit(), trailing_silence_ms=0))
        if self.keeps_audio and not self.speaking:
            self._keep_only_pre_roll()
        return events

    def _cut_at_limit(self) -> bytes:
        """Stream endpoint: the utterance's first ``max_utterance_bytes``. What follows begins
        the next utterance, which starts at the next voiced window if the learner is still
        speaking (the voiced run is kept), as after any end of turn otherwise."""
        pcm = bytes(self._audio[: self.max_utterance_bytes])
        del self._audio[: self.max_utterance_bytes]
        self._audio_start += self.max_utterance_bytes
        voiced_ms = self._voiced_ms
        self._end_utterance()
        self._voiced_ms = voiced_ms
        return pcm

    def _step(self, probability: float) -> VoiceEvent | None:
        if probability >= SPEECH_THRESHOLD:
            self._voiced_ms += WINDOW_MS
            self._silent_ms = 0
            self._voiced_since_cut = True
            if not self.speaking and self._voiced_ms >= MIN_SPEECH_MS:
                self.speaking = True
                return SpeechStarted()
            return None
        if not self.speaking or probability < SILENCE_THRESHOLD:
            self._voiced_ms = 0
        if not self.speaking:
            return None
        self._silent_ms += WINDOW_MS
        cut = self._scored - self._audio_start  # the end of this window, within the utterance
        if self.end_silence_ms is not None and self._silent_ms >= self.end_silence_ms:
            ended = SpeechEnded(pcm=bytes(self._audio[:cut]), trailing_silence_ms=self._silent_ms)
            del self._audio[:cut]
            self._audio_start += cut
            self._end_utterance()
            return ended
        if self._voiced_since_cut and self._silent_ms >= PAUSE_MS:
            self._voiced_since_cut = False
            cut = max(0, cut)
            return SpeechPaused(cut=cut, pcm=bytes(self._audio[:cut]) if self.keeps_audio else b"")
        return None

    def _end_utterance(self) -> None:
        self.speaking = False
        self._voiced_ms = self._silent_ms = 0
        self._voiced_since_cut = False

    def _keep_only_pre_roll(self) -> None:
        keep = PRE_ROLL_MS * SPEECH_SAMPLE_RATE // 1000 * SAMPLE_WIDTH
        if len(self._audio) > keep:
            drop = len(self._audio) - keep
            del self._audio[:drop]
            self._audio_start += drop
