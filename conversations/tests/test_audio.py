import io
import struct
import wave

import numpy as np
import pytest

from conversations.audio import (
    AudioError,
    AudioFrameTooLargeError,
    UtteranceBuffer,
    audio_frame_validate,
)
from vocabulary.audio import Pcm16Resampler, pcm16_duration_ms, pcm16_resample, wav_encode, wav_header_encode


def sine_pcm(*, frequency: float, sample_rate: int, seconds: float, amplitude: float = 12_000) -> bytes:
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    return np.rint(amplitude * np.sin(2 * np.pi * frequency * t)).astype("<i2").tobytes()


def dominant_frequency(*, pcm: bytes, sample_rate: int) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), d=1 / sample_rate)[np.argmax(spectrum)])


def test_frame_validate_accepts_a_unity_frame() -> None:
    audio_frame_validate(frame=bytes(8192))


def test_frame_validate_rejects_an_odd_byte_count() -> None:
    with pytest.raises(AudioError) as raised:
        audio_frame_validate(frame=bytes(8191))
    assert raised.value.code == "bad_audio"
    assert "odd" in str(raised.value)


def test_frame_validate_rejects_a_frame_over_the_limit() -> None:
    audio_frame_validate(frame=bytes(1000), max_bytes=1000)
    with pytest.raises(AudioFrameTooLargeError) as raised:
        audio_frame_validate(frame=bytes(1002), max_bytes=1000)
    assert raised.value.code == "message_too_large"


@pytest.mark.parametrize(
    ("size", "sample_rate", "expected_ms"),
    [(0, 16_000, 0), (8192, 16_000, 256), (32_000, 16_000, 1000), (44_100, 22_050, 1000), (3, 16_000, 0)],
)
def test_duration_ms(size: int, sample_rate: int, expected_ms: int) -> None:
    assert pcm16_duration_ms(pcm=bytes(size), sample_rate=sample_rate) == expected_ms


def test_utterance_buffer_keeps_frames_in_order_until_taken() -> None:
    buffer = UtteranceBuffer(sample_rate=16_000, max_seconds=1)
    buffer.append(b"\x01\x00" * 4096)
    buffer.append(b"\x02\x00" * 4096)
    assert len(buffer) == 16_384
    assert buffer.duration_ms == 512
    assert buffer.take() == b"\x01\x00" * 4096 + b"\x02\x00" * 4096
    assert len(buffer) == 0
    assert buffer.take() == b""


def test_utterance_buffer_keeps_audio_up_to_its_limit_and_says_how_much_was_left_out() -> None:
    buffer = UtteranceBuffer(sample_rate=16_000, max_seconds=0.5)
    assert buffer.append(b"\x01\x00" * 7_000) == 0
    assert buffer.append(b"\x02\x00" * 2_000) == 2_000  # 1,000 samples fit, 1,000 do not
    assert buffer.append(bytes(2)) == 2
    assert buffer.take() == b"\x01\x00" * 7_000 + b"\x02\x00" * 1_000
    assert buffer.max_seconds == 0.5
    assert buffer.append(bytes(2)) == 0 and len(buffer) == 2


def test_utterance_buffer_rejects_an_odd_byte_count() -> None:
    buffer = UtteranceBuffer()
    with pytest.raises(AudioError) as raised:
        buffer.append(bytes(3))
    assert raised.value.code == "bad_audio"
    assert len(buffer) == 0


@pytest.mark.parametrize("sample_rate", [16_000, 22_050])
def test_wav_header_fields_at_the_offsets_the_unity_client_reads(sample_rate: int) -> None:
    pcm = sine_pcm(frequency=440, sample_rate=sample_rate, seconds=0.1)
    wav = wav_encode(pcm=pcm, sample_rate=sample_rate)
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVE" + b"fmt "
    assert struct.unpack_from("<I", wav, 4)[0] == len(wav) - 8
    assert struct.unpack_from("<I", wav, 16)[0] == 16
    assert struct.unpack_from("<H", wav, 20)[0] == 1
    assert struct.unpack_from("<H", wav, 22)[0] == 1
    assert struct.unpack_from("<I", wav, 24)[0] == sample_rate
    assert struct.unpack_from("<I", wav, 28)[0] == sample_rate * 2
    assert struct.unpack_from("<H", wav, 32)[0] == 2
    assert struct.unpack_from("<H", wav, 34)[0] == 16
    assert wav[36:40] == b"data"
    assert struct.unpack_from("<I", wav, 40)[0] == len(pcm)
    assert wav[44:] == pcm
    assert not wav.startswith(b"{")


def test_wav_header_is_44_bytes() -> None:
    assert len(wav_header_encode(sample_rate=22_050, data_bytes=0)) == 44


def test_wav_round_trips_through_the_wave_module() -> None:
    pcm = sine_pcm(frequency=300, sample_rate=22_050, seconds=0.25)
    with wave.open(io.BytesIO(wav_encode(pcm=pcm, sample_rate=22_050))) as reader:
        assert reader.getnchannels() == 1
        assert reader.getsampwidth() == 2
        assert reader.getframerate() == 22_050
        assert reader.getcomptype() == "NONE"
        assert reader.readframes(reader.getnframes()) == pcm


def test_wav_encode_rejects_an_odd_byte_count() -> None:
    with pytest.raises(ValueError, match="odd byte count"):
        wav_encode(pcm=bytes(5), sample_rate=16_000)


# 47 999 and 11 111 Hz share no factor with 16 kHz (they once built a huge filter on the event loop).
@pytest.mark.parametrize("from_rate", [8_000, 11_025, 11_111, 16_000, 22_050, 24_000, 32_000, 44_100, 47_999, 48_000])
def test_resample_keeps_frequency_and_duration(from_rate: int) -> None:
    pcm = sine_pcm(frequency=440, sample_rate=from_rate, seconds=1.0)
    resampled = pcm16_resample(pcm=pcm, from_rate=from_rate)
    assert len(resampled) // 2 == 16_000
    assert dominant_frequency(pcm=resampled, sample_rate=16_000) == pytest.approx(440, abs=1.5)
    # Away from the edges the amplitude is kept.
    middle = np.frombuffer(resampled, dtype="<i2")[2_000:-2_000]
    assert np.abs(middle).max() == pytest.approx(12_000, rel=0.02)


def test_resample_removes_frequencies_above_the_new_nyquist() -> None:
    # 12 kHz cannot exist at 16 kHz; without filtering it would alias to 4 kHz.
    tone = np.frombuffer(sine_pcm(frequency=1_000, sample_rate=48_000, seconds=1.0), dtype="<i2").astype(int)
    high = np.frombuffer(sine_pcm(frequency=12_000, sample_rate=48_000, seconds=1.0), dtype="<i2").astype(int)
    resampled = pcm16_resample(pcm=(tone + high).astype("<i2").tobytes(), from_rate=48_000)
    samples = np.frombuffer(resampled, dtype="<i2").astype(np.float64)[1_000:-1_000]
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), d=1 / 16_000)
    alias = spectrum[(freqs > 3_900) & (freqs < 4_100)].max()
    kept = spectrum[(freqs > 900) & (freqs < 1_100)].max()
    assert alias < kept / 1_000


@pytest.mark.parametrize("from_rate", [8_000, 44_100, 48_000])
def test_streaming_in_frames_equals_one_shot(from_rate: int) -> None:
    pcm = sine_pcm(frequency=523, sample_rate=from_rate, seconds=0.8)
    resampler = Pcm16Resampler(from_rate=from_rate)
    streamed = b"".join(resampler.process(pcm[i : i + 8192]) for i in range(0, len(pcm), 8192))
    streamed += resampler.flush()
    assert streamed == pcm16_resample(pcm=pcm, from_rate=from_rate)


def test_resampler_flush_starts_a_new_stream() -> None:
    pcm = sine_pcm(frequency=700, sample_rate=44_100, seconds=0.3)
    resampler = Pcm16Resampler(from_rate=44_100)
    first = resampler.process(pcm) + resampler.flush()
    second = resampler.process(pcm) + resampler.flush()
    assert first == second
    assert len(first) // 2 == 4_800


def test_resample_at_the_same_rate_returns_the_input() -> None:
    pcm = sine_pcm(frequency=440, sample_rate=16_000, seconds=0.1)
    assert pcm16_resample(pcm=pcm, from_rate=16_000) == pcm


@pytest.mark.parametrize("from_rate", [7_999, 48_001])
def test_resample_rejects_rates_outside_the_protocol_range(from_rate: int) -> None:
    with pytest.raises(ValueError, match="8000-48000"):
        Pcm16Resampler(from_rate=from_rate)
