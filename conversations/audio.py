"""Incoming audio on the wire protocol: frame limits and the utterance buffer. Resampling,
the speech rate and WAV encoding are shared by every room: vocabulary/audio.py."""

from django.conf import settings

from vocabulary.audio import SAMPLE_WIDTH, SPEECH_SAMPLE_RATE

# The Unity client sends 8192-byte frames; the default 256 KiB is over 2.7 s even at 48 kHz.
FRAME_MAX_BYTES: int = settings.WS_AUDIO_FRAME_MAX_BYTES
UTTERANCE_MAX_SECONDS: float = settings.UTTERANCE_MAX_SECONDS


class AudioError(Exception):
    """Audio the protocol rejects; `code` is the wire `error` event's code."""

    code = "bad_audio"


class AudioFrameTooLargeError(AudioError):
    code = "message_too_large"


def _require_whole_samples(*, pcm: bytes) -> None:
    if len(pcm) % SAMPLE_WIDTH:
        raise AudioError(f"Audio of {len(pcm)} bytes is not whole 16-bit samples (odd byte count).")


def audio_frame_validate(*, frame: bytes, max_bytes: int = FRAME_MAX_BYTES) -> None:
    if len(frame) > max_bytes:
        raise AudioFrameTooLargeError(f"Audio frame of {len(frame)} bytes is over the limit of {max_bytes} bytes.")
    _require_whole_samples(pcm=frame)


class UtteranceBuffer:
    """The audio of one utterance, bounded so that a client cannot grow it forever."""

    def __init__(self, *, sample_rate: int = SPEECH_SAMPLE_RATE, max_seconds: float = UTTERANCE_MAX_SECONDS) -> None:
        self.sample_rate = sample_rate
        self.max_bytes = int(max_seconds * sample_rate) * SAMPLE_WIDTH
        self._chunks: list[bytes] = []
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def duration_ms(self) -> int:
        return self._size // SAMPLE_WIDTH * 1000 // self.sample_rate

    @property
    def max_seconds(self) -> float:
        return self.max_bytes // SAMPLE_WIDTH / self.sample_rate

    def append(self, pcm: bytes) -> int:
        """Add audio up to the limit; returns how many bytes did not fit (and were not kept)."""
        _require_whole_samples(pcm=pcm)
        kept = pcm[: self.max_bytes - self._size]
        if kept:
            self._chunks.append(kept)
            self._size += len(kept)
        return len(pcm) - len(kept)

    def peek(self) -> bytes:
        """The utterance so far, left in the buffer."""
        pcm = b"".join(self._chunks)
        self._chunks = [pcm] if pcm else []
        return pcm

    def take(self) -> bytes:
        """Return the whole utterance and empty the buffer."""
        pcm = b"".join(self._chunks)
        self.clear()
        return pcm

    def clear(self) -> None:
        self._chunks = []
        self._size = 0
