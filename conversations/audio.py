"""PCM16 audio for the wire protocol: incoming frames, the utterance buffer,
resampling to the speech-to-text rate and the WAV frames the Unity client plays.

All audio is mono little-endian signed 16-bit PCM.
"""

import math
import struct
from functools import lru_cache

import numpy as np

STT_SAMPLE_RATE = 16_000
INPUT_SAMPLE_RATE_MIN = 8_000
INPUT_SAMPLE_RATE_MAX = 48_000
SAMPLE_WIDTH = 2
WAV_HEADER_SIZE = 44
# The Unity client sends 8192-byte frames; 256 KiB is over 2.7 s even at 48 kHz.
FRAME_MAX_BYTES = 256 * 1024

_PCM16 = np.dtype("<i2")


class AudioError(Exception):
    """Audio the protocol rejects; `code` is the wire `error` event's code."""

    code = "bad_audio"


class AudioFrameTooLargeError(AudioError):
    code = "message_too_large"


class UtteranceTooLongError(AudioError):
    code = "utterance_too_long"


def _require_whole_samples(*, pcm: bytes) -> None:
    if len(pcm) % SAMPLE_WIDTH:
        raise AudioError(f"Audio of {len(pcm)} bytes is not whole 16-bit samples (odd byte count).")


def audio_frame_validate(*, frame: bytes, max_bytes: int = FRAME_MAX_BYTES) -> None:
    if len(frame) > max_bytes:
        raise AudioFrameTooLargeError(f"Audio frame of {len(frame)} bytes is over the limit of {max_bytes} bytes.")
    _require_whole_samples(pcm=frame)


def pcm16_duration_ms(*, pcm: bytes, sample_rate: int) -> int:
    return len(pcm) // SAMPLE_WIDTH * 1000 // sample_rate


class UtteranceBuffer:
    """The audio of one utterance, bounded so that a client cannot grow it forever."""

    def __init__(self, *, sample_rate: int = STT_SAMPLE_RATE, max_seconds: float = 30.0) -> None:
        self.sample_rate = sample_rate
        self.max_bytes = int(max_seconds * sample_rate) * SAMPLE_WIDTH
        self._chunks: list[bytes] = []
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def duration_ms(self) -> int:
        return self._size // SAMPLE_WIDTH * 1000 // self.sample_rate

    def append(self, pcm: bytes) -> None:
        """Add audio; when it does not fit, nothing is added."""
        _require_whole_samples(pcm=pcm)
        if self._size + len(pcm) > self.max_bytes:
            raise UtteranceTooLongError(
                f"The utterance is longer than {self.max_bytes // SAMPLE_WIDTH / self.sample_rate:g} seconds."
            )
        self._chunks.append(pcm)
        self._size += len(pcm)

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


class Pcm16Resampler:
    """Streaming band-limited resampler (windowed-sinc, polyphase).

    Frames are resampled as they arrive, with the filter's state carried across
    frames, so an utterance costs nothing extra at its end and frame edges do not
    click. `flush` returns the tail and makes the resampler ready for a new stream.
    """

    def __init__(self, *, from_rate: int, to_rate: int = STT_SAMPLE_RATE) -> None:
        for rate in (from_rate, to_rate):
            if not INPUT_SAMPLE_RATE_MIN <= rate <= INPUT_SAMPLE_RATE_MAX:
                raise ValueError(
                    f"Sample rate {rate} Hz is outside {INPUT_SAMPLE_RATE_MIN}-{INPUT_SAMPLE_RATE_MAX} Hz."
                )
        divisor = math.gcd(from_rate, to_rate)
        # Output sample n lies at input position n * step / up.
        self._up, self._step = to_rate // divisor, from_rate // divisor
        self._bank = _filter_bank(up=self._up, step=self._step)
        self._half = self._bank.shape[1] // 2
        self._reset()

    def process(self, pcm: bytes) -> bytes:
        _require_whole_samples(pcm=pcm)
        if self._up == self._step:
            return pcm
        samples = np.frombuffer(pcm, dtype=_PCM16).astype(np.float64)
        self._received += len(samples)
        self._pending = np.concatenate([self._pending, samples])
        # An output needs `half` input samples after its position.
        ready = (self._received - self._half) * self._up
        return self._emit(count=max(0, -(-ready // self._step) - self._produced))

    def flush(self) -> bytes:
        if self._up == self._step:
            return b""
        self._pending = np.concatenate([self._pending, np.zeros(self._half)])
        total = -(-self._received * self._up // self._step)
        tail = self._emit(count=total - self._produced)
        self._reset()
        return tail

    def _reset(self) -> None:
        # `pending[k]` is input sample `origin + k`; the stream starts after zeros.
        self._pending = np.zeros(self._half)
        self._origin = -self._half
        self._received = 0
        self._produced = 0

    def _emit(self, *, count: int) -> bytes:
        outputs = np.arange(self._produced, self._produced + count, dtype=np.int64)
        positions = outputs * self._step
        centers = positions // self._up - self._origin
        taps = np.arange(-self._half + 1, self._half + 1)
        chunks = []
        # Blocks bound the memory of the gathered windows for long inputs.
        for start in range(0, count, 4096):
            block = slice(start, start + 4096)
            windows = self._pending[centers[block, None] + taps]
            chunks.append(np.einsum("ij,ij->i", windows, self._bank[positions[block] % self._up]))
        self._produced += count
        if count:
            keep_from = (self._produced * self._step) // self._up - self._half + 1 - self._origin
            self._pending = self._pending[keep_from:]
            self._origin += keep_from
        out = np.concatenate(chunks) if chunks else np.zeros(0)
        return np.clip(np.rint(out), -32768, 32767).astype(_PCM16).tobytes()


@lru_cache(maxsize=16)
def _filter_bank(*, up: int, step: int) -> np.ndarray:
    """Kaiser-windowed sinc low-pass, one row of taps per fractional position.

    Row p holds the weights of input samples center-half+1 .. center+half for an
    output at fraction p/up past `center`.
    """
    # Below the lower Nyquist frequency, with a transition band of ~10 %.
    cutoff = min(1.0, up / step) * 0.9
    half = math.ceil(16 / cutoff)
    offsets = np.arange(-half + 1, half + 1)[None, :] - (np.arange(up) / up)[:, None]
    edge = np.clip(offsets / (half + 1), -1.0, 1.0)
    beta = 8.0
    window = np.i0(beta * np.sqrt(1.0 - edge**2)) / np.i0(beta)
    bank = cutoff * np.sinc(cutoff * offsets) * window
    # Exact unity gain at 0 Hz for every phase.
    return bank / bank.sum(axis=1, keepdims=True)


def pcm16_resample(*, pcm: bytes, from_rate: int, to_rate: int = STT_SAMPLE_RATE) -> bytes:
    resampler = Pcm16Resampler(from_rate=from_rate, to_rate=to_rate)
    return resampler.process(pcm) + resampler.flush()


def wav_header_encode(*, sample_rate: int, data_bytes: int) -> bytes:
    """The canonical 44-byte header: RIFF/WAVE, a 16-byte PCM fmt chunk, mono 16-bit,
    then the data chunk and nothing else (the Unity client plays PCM from byte 44)."""
    byte_rate = sample_rate * SAMPLE_WIDTH
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        sample_rate,
        byte_rate,
        SAMPLE_WIDTH,
        8 * SAMPLE_WIDTH,
        b"data",
        data_bytes,
    )


def wav_encode(*, pcm: bytes, sample_rate: int) -> bytes:
    """One standalone WAV file; it starts with "RIFF", so never with "{"."""
    _require_whole_samples(pcm=pcm)
    return wav_header_encode(sample_rate=sample_rate, data_bytes=len(pcm)) + pcm
