"""The real embedded engines on real synthesized speech (no network, no API key)."""

from __future__ import annotations

import asyncio
import re
from contextlib import aclosing

import pytest

from engines.interfaces import GRAMMAR_CATEGORIES, ChatMessage

pytestmark = pytest.mark.asyncio


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


async def test_piper_english_is_transcribed_back_by_whisper(piper, whisper) -> None:
    sentence = "I would like some bread and a cup of coffee, please."
    audio = await piper.synthesize(sentence, language="en")
    transcript = await whisper.transcribe(audio.pcm, sample_rate=audio.sample_rate, language="en")
    assert transcript.language == "en"
    assert transcript.audio_seconds == pytest.approx(audio.seconds, rel=0.01)
    expected = {"would", "like", "some", "bread", "cup", "coffee", "please"}
    # Piper samples its prosody at random: allow one word to be misheard. Words that
    # Whisper base confuses whatever the prosody ("two loaves" -> "to lows") are avoided.
    assert len(expected & words(transcript.text)) >= len(expected) - 1, transcript.text


@pytest.mark.parametrize(
    ("language", "sentence", "key_words"),
    [
        ("es", "Mi casa es muy grande y bonita.", {"casa", "muy", "grande", "bonita"}),
        ("fr", "Merci beaucoup, au revoir.", {"merci", "beaucoup", "au", "revoir"}),
        ("de", "Ich habe zwei Kinder und einen Hund.", {"habe", "kinder", "und", "einen", "hund"}),
    ],
)
async def test_espeak_speech_is_transcribed_back_by_whisper(
    espeak, whisper_beam5, language, sentence, key_words
) -> None:
    audio = await espeak.synthesize(sentence, language=language)
    assert audio.sample_rate == 22050
    transcript = await whisper_beam5.transcribe(audio.pcm, sample_rate=audio.sample_rate, language=language)
    heard = words(transcript.text)
    # espeak-ng's voices are robotic (and vary slightly run to run) and Whisper base is small:
    # beam 5 and most, not all, key words.
    assert len(key_words & heard) >= len(key_words) - 1, transcript.text
    assert transcript.language == language


async def test_whisper_word_timings_are_off_by_default_and_available_on_request(piper, whisper) -> None:
    audio = await piper.synthesize("Good morning, how are you?", language="en")
    plain = await whisper.transcribe(audio.pcm, sample_rate=audio.sample_rate, language="en")
    timed = await whisper.transcribe(audio.pcm, sample_rate=audio.sample_rate, language="en", word_timestamps=True)
    assert plain.words == ()
    assert [w.word.strip(",.?").lower() for w in timed.words][:2] == ["good", "morning"]
    assert all(0 <= w.start <= w.end <= timed.audio_seconds + 0.5 and 0 <= w.probability <= 1 for w in timed.words)


async def test_whisper_on_silence_returns_an_empty_transcript(whisper) -> None:
    silence = bytes(2 * 16000 * 2)  # 2 s of zeros
    transcript = await whisper.transcribe(silence, sample_rate=16000, language="en")
    assert transcript.is_empty
    assert transcript.audio_seconds == pytest.approx(2.0)


async def test_piper_returns_pcm16_at_the_voice_rate_with_a_plausible_length(piper) -> None:
    short = await piper.synthesize("Hello.", language="en")
    long = await piper.synthesize("Hello. The bakery on the corner opens at seven every morning.", language="en")
    assert short.sample_rate == long.sample_rate == 22050
    assert len(short.pcm) % 2 == 0
    assert 0.3 < short.seconds < 2.0
    assert long.seconds > 2 * short.seconds


async def test_piper_streams_one_audio_per_sentence(piper) -> None:
    parts = [a async for a in piper.stream("Hello there. How are you? I am fine.", language="en")]
    assert len(parts) == 3
    assert all(p.sample_rate == 22050 and p.seconds > 0.2 for p in parts)


async def test_local_model_streams_a_reply_in_the_npc_role(local_llm) -> None:
    messages = [
        ChatMessage("system", "You are Pierre, a friendly baker. Reply only in English, in one short sentence."),
        ChatMessage("user", "Hello! What do you sell?"),
    ]
    deltas = [d async for d in local_llm.stream(messages, temperature=0.0, max_tokens=40)]
    assert len(deltas) > 1
    reply = "".join(deltas)
    assert len(words(reply)) >= 3, reply


async def test_local_model_json_mode_follows_the_schema(local_llm) -> None:
    schema = {
        "type": "object",
        "properties": {"mistake_found": {"type": "boolean"}, "correction": {"type": "string"}},
        "required": ["mistake_found", "correction"],
    }
    data = await local_llm.complete_json(
        [ChatMessage("system", "Correct the grammar. Answer in JSON."), ChatMessage("user", "She don't like apples.")],
        schema=schema,
    )
    assert isinstance(data["mistake_found"], bool)
    assert isinstance(data["correction"], str)


async def test_local_model_stops_at_the_next_token_when_the_consumer_stops(local_llm) -> None:
    messages = [ChatMessage("user", "Count from one to fifty in words.")]
    received = []
    async with aclosing(local_llm.stream(messages, temperature=0.0, max_tokens=200)) as stream:
        async for delta in stream:
            received.append(delta)
            if len(received) == 3:
                break
    # The lock is released once the worker stops, so the next call is served.
    again = [d async for d in local_llm.stream(messages, temperature=0.0, max_tokens=3)]
    assert len(received) == 3
    assert again


def cached_text(llm) -> str:
    """What the local model holds in its KV cache, as text."""
    return llm._llama.detokenize(llm._llama._input_ids.tolist()).decode("utf-8", "replace")


async def test_local_model_prefill_leaves_the_next_prompt_start_in_its_cache(local_llm) -> None:
    history = [
        ChatMessage("system", "You are Pierre, a friendly baker. Reply only in English."),
        ChatMessage("user", "Do you have croissants today?"),
        ChatMessage("assistant", "Yes, fresh from the oven this morning."),
    ]
    await local_llm.prefill(history)
    cached = cached_text(local_llm)
    assert "fresh from the oven this morning" in cached
    # The cache ends with the opening of the learner's next turn, not with a reply.
    assert cached.rstrip().count("user") >= 2


async def test_local_model_prefill_gives_way_to_a_busy_model(local_llm) -> None:
    await local_llm.prefill([ChatMessage("user", "Hello there, baker.")])
    before = cached_text(local_llm)
    with local_llm._call_lock:  # a turn is using the model
        await local_llm.prefill([ChatMessage("user", "A prompt nobody will read.")])
    assert cached_text(local_llm) == before


async def test_local_model_prefills_one_prompt_at_a_time(local_llm, monkeypatch) -> None:
    submitted: list[str] = []
    run = local_llm.executor.run

    async def counted_run(fn, *args, what="engine call", **kwargs):
        submitted.append(what)
        return await run(fn, *args, what=what, **kwargs)

    monkeypatch.setattr(local_llm.executor, "run", counted_run)
    first = asyncio.create_task(local_llm.prefill([ChatMessage("user", "Good morning, Pierre.")]))
    await asyncio.sleep(0)  # the first prefill is now waiting for its worker
    await local_llm.prefill([ChatMessage("user", "Another socket opened meanwhile.")])
    await first
    # The second never reached a worker: many sockets opening cost one prefill, not one each.
    assert submitted == ["prefilling the local language model"]
    cached = cached_text(local_llm)
    assert "Good morning, Pierre." in cached and "Another socket" not in cached


async def test_harper_flags_a_wrong_verb_form(harper_checker) -> None:
    result = await harper_checker.check("She don't like apples.", language="en")
    assert result.status == "ok"
    assert result.mistake_found
    assert result.category == "verb_conjugation"
    assert result.correction == "She doesn't like apples."
    assert result.edits[0].original == "don't" and result.edits[0].correction == "doesn't"
    assert 1 <= result.severity <= 5


async def test_harper_leaves_a_correct_sentence_alone(harper_checker) -> None:
    result = await harper_checker.check("I would like two loaves of bread.", language="en")
    assert result.status == "ok"
    assert not result.mistake_found
    assert result.edits == ()
    assert result.correction == "I would like two loaves of bread."


async def test_harper_categories_are_from_the_taxonomy(harper_checker) -> None:
    sentences = ["I goed to the store.", "I recieved your letter.", "He is more taller than me.", "I want buy bread."]
    for sentence in sentences:
        result = await harper_checker.check(sentence, language="en")
        assert result.mistake_found, sentence
        assert {e.category for e in result.edits} <= set(GRAMMAR_CATEGORIES)


async def test_harper_says_unavailable_for_other_languages(harper_checker) -> None:
    result = await harper_checker.check("Je suis allé au marché.", language="fr")
    assert result.status == "unavailable"
    assert not result.mistake_found


async def test_two_espeak_engines_in_one_process_both_speak(espeak, executor) -> None:
    from engines.tts_espeak import EspeakTTS

    other = EspeakTTS(executor=executor, rate=120)
    slow = await other.synthesize("Guten Tag.", language="de")
    normal = await espeak.synthesize("Guten Tag.", language="de")
    assert slow.seconds > normal.seconds > 0.3
