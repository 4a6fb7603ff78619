"""Property-based tests (Hypothesis) of the audio path: the socket's binary frames, resampling
to 16 kHz, and the WAV files of the REST spoken turn and of the engines' commands. Any bytes,
valid or not, give audio or the path's own error, never anything else.

Sized to run in a few seconds on a slow two-core machine (VIRTULINGO_FUZZ_SCALE multiplies it);
`deadline=None` because such a machine, shared with other work, can stall any one example."""

import base64
import struct

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from conversations.audio import FRAME_MAX_BYTES, AudioError, UtteranceBuffer, audio_frame_validate
from conversations.serializers import wav_speech_decode
from conversations.tests.helpers import FUZZ_SCALE
from engines.audio import read_wav
from engines.errors import BadAudioError, EmptyAudioError
from vocabulary.audio import (
    INPUT_SAMPLE_RATE_MAX,
    INPUT_SAMPLE_RATE_MIN,
    SPEECH_SAMPLE_RATE,
    Pcm16Resampler,
    wav_encode,
)

rates = st.integers(INPUT_SAMPLE_RATE_MIN, INPUT_SAMPLE_RATE_MAX)


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(st.binary(max_size=600), st.integers(0, 600))
def test_a_binary_frame_is_accepted_or_refused_with_its_code(frame: bytes, max_bytes: int):
    try:
        audio_frame_validate(frame=frame, max_bytes=max_bytes)
    except AudioError as error:
        assert error.code in {"bad_audio", "message_too_large"}
        assert (error.code == "message_too_large") == (len(frame) > max_bytes)
        assert len(frame) > max_bytes or len(frame) % 2
    else:
        assert len(frame) <= max_bytes and len(frame) % 2 == 0


@settings(max_examples=200 * FUZZ_SCALE, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=10), st.floats(0.0, 0.01))
def test_the_utterance_buffer_keeps_whole_samples_up_to_its_limit(frames: list[bytes], max_seconds: float):
    buffer = UtteranceBuffer(max_seconds=max_seconds)
    kept = b""
    for frame in frames:
        try:
            left_out = buffer.append(frame)
        except AudioError as error:
            assert error.code == "bad_audio" and len(frame) % 2
            continue
        kept += frame[: len(frame) - left_out]
    assert len(buffer) == len(kept) <= buffer.max_bytes and len(kept) % 2 == 0
    assert buffer.take() == kept


@st.composite
def pcm_in_chunks(draw):
    """PCM16 of any length, cut into frames of any (whole-sample) sizes."""
    samples = draw(st.integers(0, 6000))
    pcm = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(-32768, 32768, samples).astype("<i2")
    cuts = sorted(draw(st.lists(st.integers(0, samples), max_size=8)))
    bounds = [0, *cuts, samples]
    return [pcm[start:end].tobytes() for start, end in zip(bounds, bounds[1:], strict=False)]


@settings(max_examples=150 * FUZZ_SCALE, deadline=None)
@given(rates, pcm_in_chunks())
@example(47_999, [bytes(2 * 4801)])
@example(8_000, [b"\x00\x01"])
def test_resampling_to_16_khz_gives_the_expected_length(from_rate: int, chunks: list[bytes]):
    resampler = Pcm16Resampler(from_rate=from_rate)
    out = b"".join(resampler.process(chunk) for chunk in chunks) + resampler.flush()
    samples = sum(len(chunk) for chunk in chunks) // 2

    assert len(out) % 2 == 0
    assert abs(len(out) // 2 - samples * SPEECH_SAMPLE_RATE / from_rate) <= 1


@settings(max_examples=100 * FUZZ_SCALE, deadline=None)
@given(rates, st.binary(max_size=99).filter(lambda raw: len(raw) % 2))
def test_the_resampler_refuses_half_samples(from_rate: int, frame: bytes):
    try:
        Pcm16Resampler(from_rate=from_rate).process(frame)
    except ValueError:
        return
    raise AssertionError("an odd byte count was resampled")


# --- WAV files ------------------------------------------------------------------------


def mostly(valid, *others):
    """A field that is usually right (so that the later fields are read) and sometimes anything."""
    return st.sampled_from([valid] * 3 + list(others[:-1])) | others[-1]


@st.composite
def wav_files(draw):
    """RIFF/WAVE files whose every field may be wrong: format, channels, rate, sample width,
    declared sizes, chunks before the data, and the file cut short anywhere."""
    channels = draw(mostly(1, 2, 2, 0, 3, 6, st.integers(0, 2**16 - 1)))
    bits = draw(mostly(16, 8, 12, 24, 32, 0, st.integers(0, 2**16 - 1)))
    rate = draw(rates | st.sampled_from([0, 1, 7_999, 48_001, 96_000, 2**32 - 1]))
    format_tag = draw(mostly(1, 3, 6, 7, 0xFFFE, st.integers(0, 2**16 - 1)))
    fmt = struct.pack("<HHIIHH", format_tag, channels, rate, rate * channels * 2 % 2**32, channels * 2 % 2**16, bits)
    fmt_size = draw(mostly(16, 14, 18, 40, st.integers(0, 100)))
    fmt_chunk = b"fmt " + struct.pack("<I", fmt_size) + (fmt + bytes(max(fmt_size - 16, 0)))[:fmt_size]
    data = draw(st.binary(max_size=400))
    data_size = draw(mostly(len(data), 0, 1, 3, st.integers(0, 2**32 - 1)))
    extra = draw(st.sampled_from([b"", b"", b"LIST\x04\x00\x00\x00abcd", b"junk\x03\x00\x00\x00xyz\x00"]))
    body = b"WAVE" + extra + fmt_chunk + b"data" + struct.pack("<I", data_size) + data
    riff_size = draw(mostly(len(body), 4, 12, st.integers(0, 2**32 - 1)))
    wav = b"RIFF" + struct.pack("<I", riff_size) + body
    return wav[: draw(st.integers(0, len(wav)))] if draw(st.booleans()) else wav


any_wav = (
    wav_files() | st.binary(max_size=200) | st.binary(max_size=200).map(lambda raw: b"RIFF\x00\x00\x00\x00WAVE" + raw)
)


# What the runs below found (kept as explicit examples, so every run tries them):
# a chunk whose declared size runs past the RIFF chunk's (Python's wave raised RuntimeError),
CHUNK_PAST_THE_FILE = b"RIFF\x10\x00\x00\x00WAVEjunk\x64\x00\x00\x00abcd"
# a stereo file cut in the middle of a frame, and a mono one in the middle of a sample,
STEREO_CUT_MID_FRAME = (
    wav_encode(pcm=bytes(400), sample_rate=16_000)[:22]
    + b"\x02"
    + wav_encode(pcm=bytes(400), sample_rate=16_000)[23:-3]
)
MONO_CUT_MID_SAMPLE = wav_encode(pcm=bytes(400), sample_rate=16_000)[:-1]
# and a file that says its rate is 0 Hz.
ZERO_HZ = (
    wav_encode(pcm=bytes(400), sample_rate=16_000)[:24] + bytes(4) + wav_encode(pcm=bytes(400), sample_rate=1)[28:]
)


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(any_wav)
@example(CHUNK_PAST_THE_FILE)
@example(STEREO_CUT_MID_FRAME)
@example(ZERO_HZ)
def test_a_spoken_turn_wav_is_16_khz_speech_or_a_validation_error(wav: bytes):
    try:
        pcm = wav_speech_decode(base64.b64encode(wav).decode("ascii"))
    except serializers.ValidationError as error:
        assert error.get_codes() and set(error.get_codes()) <= {
            "not_wav",
            "unsupported_encoding",
            "empty_audio",
            "too_long",
        }, error.get_codes()
        return
    assert isinstance(pcm, bytes) and len(pcm) % 2 == 0


@settings(max_examples=200 * FUZZ_SCALE, deadline=None)
@given(st.text(max_size=100) | st.binary(max_size=100).map(lambda raw: base64.b64encode(raw).decode() + "="))
def test_text_that_is_not_base64_is_a_validation_error(encoded: str):
    try:
        wav_speech_decode(encoded)
    except serializers.ValidationError:
        return


@settings(max_examples=100 * FUZZ_SCALE, deadline=None)
@given(rates, st.sampled_from([1, 2]), st.integers(1, 4000), st.integers(0, 2**32 - 1))
def test_a_valid_spoken_turn_is_resampled_to_the_expected_length(rate: int, channels: int, frames: int, seed: int):
    pcm = np.random.default_rng(seed).integers(-32768, 32768, frames * channels).astype("<i2").tobytes()
    header = wav_encode(pcm=pcm, sample_rate=rate)
    # The canonical header is mono: set the channel count and the rates that follow from it.
    wav = header[:22] + struct.pack("<HII", channels, rate, rate * 2 * channels) + header[32:]

    speech = wav_speech_decode(base64.b64encode(wav).decode("ascii"))

    assert abs(len(speech) // 2 - frames * SPEECH_SAMPLE_RATE / rate) <= 1


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(any_wav)
@example(CHUNK_PAST_THE_FILE)
@example(STEREO_CUT_MID_FRAME)
@example(MONO_CUT_MID_SAMPLE)
@example(ZERO_HZ)
def test_the_engines_read_any_wav_as_audio_or_a_bad_audio_error(wav: bytes):
    try:
        audio = read_wav(wav)
    except (BadAudioError, EmptyAudioError) as error:
        assert error.code == "bad_audio"
        return
    # Whole mono samples at a real rate: what the speech-to-text engines read.
    assert audio.pcm and len(audio.pcm) % 2 == 0 and audio.sample_rate > 0


def test_a_frame_at_the_limit_is_accepted():
    audio_frame_validate(frame=bytes(FRAME_MAX_BYTES))
