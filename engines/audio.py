"""PCM16 checks and WAV reading/writing for the engines and their commands."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from vocabulary.audio import (
    INPUT_SAMPLE_RATE_MAX,
    INPUT_SAMPLE_RATE_MIN,
    SPEECH_SAMPLE_RATE,
    pcm16_resample,
    wav_encode,
)

from .errors import BadAudioError, EmptyAudioError
from .interfaces import Audio


def check_pcm16(pcm: bytes, sample_rate: int) -> None:
    if not isinstance(pcm, (bytes, bytearray, memoryview)):
        raise BadAudioError(f"audio must be PCM16 bytes, not {type(pcm).__name__}")
    if len(pcm) == 0:
        raise EmptyAudioError("the audio is empty")
    if len(pcm) % 2:
        raise BadAudioError(f"PCM16 audio must have an even byte count, got {len(pcm)} bytes")
    if not INPUT_SAMPLE_RATE_MIN <= sample_rate <= INPUT_SAMPLE_RATE_MAX:
        raise BadAudioError(
            f"sample rate {sample_rate} Hz is outside {INPUT_SAMPLE_RATE_MIN}-{INPUT_SAMPLE_RATE_MAX} Hz"
        )


def pcm16_to_float(pcm: bytes, sample_rate: int, *, target_rate: int = SPEECH_SAMPLE_RATE) -> np.ndarray:
    """Float32 samples in [-1, 1] at ``target_rate`` (band-limited resampling when needed)."""
    check_pcm16(pcm, sample_rate)
    if sample_rate != target_rate:
        pcm = pcm16_resample(pcm=bytes(pcm), from_rate=sample_rate, to_rate=target_rate)
    return np.frombuffer(bytes(pcm), dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def wav_bytes(audio: Audio) -> bytes:
    """A canonical 44-byte-header WAV (PCM16 mono), what the Unity client plays."""
    return wav_encode(pcm=audio.pcm, sample_rate=audio.sample_rate)


def read_wav(source: str | Path | bytes) -> Audio:
    """PCM16 mono audio from a WAV file; stereo is mixed down, other sample widths are refused."""
    try:
        handle = wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "rb")
    except FileNotFoundError:
        raise BadAudioError(f"no such file: {source!s}") from None
    except (wave.Error, EOFError, RuntimeError) as exc:
        # RuntimeError: a chunk whose declared size runs past the RIFF chunk's (wave's Chunk.seek).
        raise BadAudioError(f"not a PCM WAV file ({exc or type(exc).__name__})") from None
    with handle:
        width, channels, rate = handle.getsampwidth(), handle.getnchannels(), handle.getframerate()
        frames = handle.readframes(handle.getnframes())
    if width != 2:
        raise BadAudioError(f"the WAV file is {8 * width}-bit; only 16-bit PCM is supported")
    if rate <= 0:
        raise BadAudioError(f"the WAV file says its sample rate is {rate} Hz")
    # A file cut short ends in part of a frame: only whole frames are audio.
    frames = frames[: len(frames) - len(frames) % (width * channels)]
    if not frames:
        raise EmptyAudioError("the WAV file has no audio")
    if channels > 1:
        samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).mean(axis=1)
        frames = samples.astype("<i2").tobytes()
    return Audio(pcm=frames, sample_rate=rate)


def write_wav(path: str | Path, audio: Audio) -> None:
    Path(path).write_bytes(wav_bytes(audio))
