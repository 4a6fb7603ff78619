"""WAV reading/writing and PCM16 conversion."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from engines.audio import pcm16_to_float, read_wav, wav_bytes
from engines.errors import BadAudioError, EmptyAudioError
from engines.interfaces import Audio


def wav_file(width: int, frames: bytes, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def test_8_bit_and_32_bit_wav_files_are_refused() -> None:
    with pytest.raises(BadAudioError, match="8-bit"):
        read_wav(wav_file(1, bytes(1600)))
    with pytest.raises(BadAudioError, match="32-bit"):
        read_wav(wav_file(4, bytes(6400)))


def test_a_wav_file_without_samples_and_a_file_that_is_not_wav() -> None:
    with pytest.raises(EmptyAudioError):
        read_wav(wav_file(2, b""))
    with pytest.raises(BadAudioError, match="not a PCM WAV"):
        read_wav(b"ID3 this is an mp3")


def test_a_16_bit_stereo_wav_is_mixed_down() -> None:
    stereo = (b"\x10\x00\x30\x00") * 100  # left 16, right 48
    audio = read_wav(_stereo_wav(stereo))
    assert audio.sample_rate == 16000
    assert audio.pcm[:2] == (32).to_bytes(2, "little")


def _stereo_wav(frames: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(frames)
    return buffer.getvalue()


def test_wav_bytes_has_the_canonical_44_byte_header_and_reads_back() -> None:
    audio = Audio(pcm=np.arange(-500, 500, dtype="<i2").tobytes(), sample_rate=22050)
    data = wav_bytes(audio)
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    assert int.from_bytes(data[22:24], "little") == 1  # channels
    assert int.from_bytes(data[24:28], "little") == 22050
    assert int.from_bytes(data[34:36], "little") == 16
    assert data[36:40] == b"data" and data[44:] == audio.pcm
    assert read_wav(data) == audio


def test_pcm16_is_resampled_to_16_khz_for_whisper() -> None:
    one_second_at_48k = np.zeros(48000, dtype="<i2").tobytes()
    assert pcm16_to_float(one_second_at_48k, 48000).shape == (16000,)
    full_scale = np.array([32767, -32768], dtype="<i2").tobytes()
    assert pcm16_to_float(full_scale, 16000).tolist() == pytest.approx([1.0, -1.0], abs=1e-4)


def test_a_stereo_wav_cut_short_mid_frame_is_read_up_to_its_last_whole_frame() -> None:
    """Found by the property test of read_wav: numpy refused to split a partial frame (ValueError)."""
    cut = _stereo_wav(b"\x10\x00\x30\x00" * 100)[:-3]
    audio = read_wav(cut)
    assert len(audio.pcm) == 99 * 2 and audio.pcm[:2] == (32).to_bytes(2, "little")


def test_a_wav_that_says_its_rate_is_zero_is_refused() -> None:
    """Found by the property test of read_wav: it gave Audio at 0 Hz (its duration divides by it)."""
    data = wav_file(2, bytes(1600))
    with pytest.raises(BadAudioError, match="0 Hz"):
        read_wav(data[:24] + bytes(4) + data[28:])


def test_a_wav_whose_chunk_runs_past_the_file_is_bad_audio() -> None:
    """Found by the property test of read_wav: Python's wave raised RuntimeError."""
    body = b"WAVE" + b"junk" + (100).to_bytes(4, "little") + b"abcd"
    with pytest.raises(BadAudioError, match="not a PCM WAV"):
        read_wav(b"RIFF" + len(body).to_bytes(4, "little") + body)


def test_a_mono_wav_cut_short_mid_sample_is_read_up_to_its_last_whole_sample() -> None:
    """Found by the property test of read_wav: it gave PCM16 of an odd byte count."""
    audio = read_wav(wav_file(2, bytes(1600))[:-1])
    assert len(audio.pcm) == 1598
