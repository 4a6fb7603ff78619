"""PCM16 checks and WAV reading/writing for the engines and their commands."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import numpy as np

from .errors import BadAudioError, EmptyAudioError
from .interfaces import Audio

WHISPER_RATE = 16000


def check_pcm16(pcm: bytes, sample_rate: int) -> None:
    if not isinstance(pcm, (bytes, bytearray, memoryview)):
        raise BadAudioError(f"audio must be PCM16 bytes, not {type(pcm).__name__}")
    if len(pcm) == 0:
        raise EmptyAudioError("the audio is empty")
    if len(pcm) % 2:
        raise BadAudioError(f"PCM16 audio must have an even byte count, got {len(pcm)} bytes")
    if not 8000 <= sample_rate <= 48000:
        raise BadAudioError(f"sample rate {sample_rate} Hz is outside 8000-48000 Hz")


def pcm16_to_float(pcm: bytes, sample_rate: int, *, target_rate: int = WHISPER_RATE) -> np.ndarray:
    """Float32 samples in [-1, 1] at ``target_rate`` (linear resampling when needed)."""
    check_pcm16(pcm, sample_rate)
    samples = np.frombuffer(bytes(pcm), dtype="<i2").astype(np.float32) / 32768.0
    if sample_rate == target_rate:
        return samples
    duration = len(samples) / sample_rate
    n_out = max(1, int(round(duration * target_rate)))
    src_t = np.arange(len(samples), dtype=np.float64) / sample_rate
    dst_t = np.arange(n_out, dtype=np.float64) / target_rate
    return np.interp(dst_t, src_t, samples).astype(np.float32)


def float_to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def wav_bytes(audio: Audio) -> bytes:
    """A canonical 44-byte-header WAV (PCM16 mono), what the Unity client plays."""
    data = audio.pcm
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(data),
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        audio.sample_rate,
        audio.sample_rate * 2,
        2,
        16,
        b"data",
        len(data),
    )
    return header + data


def read_wav(source: str | Path | bytes) -> Audio:
    """PCM16 mono audio from a WAV file; stereo is mixed down, other sample widths are refused."""
    try:
        handle = wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "rb")
    except FileNotFoundError:
        raise BadAudioError(f"no such file: {source}") from None
    except (wave.Error, EOFError) as exc:
        raise BadAudioError(f"not a PCM WAV file ({exc})") from None
    with handle:
        width, channels, rate = handle.getsampwidth(), handle.getnchannels(), handle.getframerate()
        frames = handle.readframes(handle.getnframes())
    if width != 2:
        raise BadAudioError(f"the WAV file is {8 * width}-bit; only 16-bit PCM is supported")
    if not frames:
        raise EmptyAudioError("the WAV file has no audio")
    if channels > 1:
        samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).mean(axis=1)
        frames = samples.astype("<i2").tobytes()
    return Audio(pcm=frames, sample_rate=rate)


def write_wav(path: str | Path, audio: Audio) -> None:
    Path(path).write_bytes(wav_bytes(audio))
