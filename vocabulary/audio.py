"""PCM16 audio as every room speaks it: the speech rate, resampling to it, and the WAV
frames the Unity client plays. All audio is mono little-endian signed 16-bit PCM.

Resampling is soxr's (libsoxr, a maintained band-limited resampler), streamed frame by frame
with its state kept across frames; any rate in the protocol's range costs the same small,
bounded work (a rate sharing no factor with 16 kHz, e.g. 47 999 Hz, used to build a large
filter bank on the event loop).
"""

import struct

import numpy as np
import soxr

# What speech-to-text and voice activity read: Whisper and Silero both work at 16 kHz.
SPEECH_SAMPLE_RATE = 16_000
INPUT_SAMPLE_RATE_MIN = 8_000
INPUT_SAMPLE_RATE_MAX = 48_000
SAMPLE_WIDTH = 2
WAV_HEADER_SIZE = 44

_PCM16 = np.dtype("<i2")


def pcm16_duration_ms(*, pcm: bytes, sample_rate: int) -> int:
    return len(pcm) // SAMPLE_WIDTH * 1000 // sample_rate


def _require_whole_samples(pcm: bytes) -> None:
    if len(pcm) % SAMPLE_WIDTH:
        raise ValueError(f"Audio of {len(pcm)} bytes is not whole 16-bit samples (odd byte count).")


class Pcm16Resampler:
    """Streaming resampler: frames are resampled as they arrive, so an utterance costs nothing
    extra at its end and frame edges do not click. ``flush`` returns the tail and makes the
    resampler ready for a new stream."""

    def __init__(self, *, from_rate: int, to_rate: int = SPEECH_SAMPLE_RATE) -> None:
        for rate in (from_rate, to_rate):
            if not INPUT_SAMPLE_RATE_MIN <= rate <= INPUT_SAMPLE_RATE_MAX:
                raise ValueError(
                    f"Sample rate {rate} Hz is outside {INPUT_SAMPLE_RATE_MIN}-{INPUT_SAMPLE_RATE_MAX} Hz."
                )
        self.from_rate, self.to_rate = from_rate, to_rate
        # Float in, float out, rounded here: soxr's own int16 output is dithered at random, so the
        # same audio would not give the same samples twice.
        self._stream = None if from_rate == to_rate else soxr.ResampleStream(from_rate, to_rate, 1, dtype="float32")

    def process(self, pcm: bytes) -> bytes:
        _require_whole_samples(pcm)
        if self._stream is None:
            return pcm
        return _to_pcm16(self._stream.resample_chunk(np.frombuffer(pcm, dtype=_PCM16).astype(np.float32)))

    def flush(self) -> bytes:
        if self._stream is None:
            return b""
        tail = _to_pcm16(self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
        self._stream.clear()
        return tail


def _to_pcm16(samples: np.ndarray) -> bytes:
    return np.clip(np.rint(samples), -32768, 32767).astype(_PCM16).tobytes()


def pcm16_resample(*, pcm: bytes, from_rate: int, to_rate: int = SPEECH_SAMPLE_RATE) -> bytes:
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
    _require_whole_samples(pcm)
    return wav_header_encode(sample_rate=sample_rate, data_bytes=len(pcm)) + pcm
