"""The management commands: transcribe, say, chat, check_grammar; clear errors for user mistakes."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from engines.audio import read_wav


def run(*args: str, **options: object) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_say_then_transcribe_round_trip(process_registry, tmp_path) -> None:
    wav = tmp_path / "hello.wav"
    said = run("say", "Good morning, I would like some bread.", "-o", str(wav))
    assert "piper" in said and "22050 Hz" in said
    assert read_wav(wav).sample_rate == 22050
    heard = run("transcribe", str(wav), "--language", "en").lower()
    assert "good morning" in heard and "bread" in heard


def test_say_uses_espeak_for_a_language_without_a_piper_voice(process_registry, tmp_path) -> None:
    wav = tmp_path / "fr.wav"
    assert "espeak-ng" in run("say", "Bonjour.", "--language", "fr", "-o", str(wav))
    assert read_wav(wav).seconds > 0.2


def test_transcribe_with_word_timings(process_registry, tmp_path) -> None:
    wav = tmp_path / "w.wav"
    run("say", "Thank you very much.", "-o", str(wav))
    lines = run("transcribe", str(wav), "--words").splitlines()
    assert "thank" in lines[0].lower()
    assert len(lines) >= 4  # the text, then one line per word


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("transcribe", "/nonexistent/file.wav"), "no such file"),
        (("say", "Hello.", "-o", "/tmp/x.wav", "--voice", "/nonexistent/voice.onnx"), "nor an existing .onnx"),
        (("say", "word " * 400, "-o", "/tmp/x.wav"), "character limit"),
        (("say", "Hello.", "-o", "/nonexistent-dir/x.wav"), "cannot write"),
        (("check_grammar", "   "), "give a sentence"),
    ],
)
def test_user_mistakes_are_command_errors(process_registry, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_an_8_bit_wav_is_a_clear_error(process_registry, tmp_path) -> None:
    import wave

    path = tmp_path / "8bit.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(bytes(800))
    with pytest.raises(CommandError, match="only 16-bit PCM"):
        run("transcribe", str(path))


def test_check_grammar_prints_the_correction_and_the_edit(process_registry) -> None:
    out = run("check_grammar", "She don't like apples.")
    assert "correction: She doesn't like apples." in out
    assert "[verb_conjugation, severity 3]" in out


def test_check_grammar_json_and_unavailable_language(process_registry) -> None:
    data = json.loads(run("check_grammar", "Yo soy ir.", "--language", "es", "--json"))
    assert data["status"] == "unavailable" and data["mistake_found"] is False
    assert "unavailable" in run("check_grammar", "Yo soy ir.", "--language", "es")


@pytest.mark.django_db
def test_chat_streams_replies_from_the_npc(process_registry) -> None:
    from npcs.models import NPC

    NPC.objects.create(
        npc_id="baker_test",
        name="Tom",
        personality="A cheerful baker.",
        language="en",
        greeting="Good morning! What can I get you?",
    )
    out = run("chat", "baker_test", "-m", "Hello!", "-m", "Do you have bread?")
    lines = [line for line in out.splitlines() if line.startswith("Tom: ")]
    assert lines[0] == "Tom: Good morning! What can I get you?"
    assert len(lines) == 3
    assert all(len(line) > len("Tom: ") for line in lines)


@pytest.mark.django_db
def test_chat_with_an_unknown_npc_lists_the_known_ones(process_registry) -> None:
    with pytest.raises(CommandError, match="no NPC with id 'nobody'"):
        run("chat", "nobody", "-m", "hi")


@pytest.mark.django_db
def test_chat_with_gemini_and_no_key_is_a_clear_error(monkeypatch, settings, process_registry_set_aside) -> None:
    from engines import reset_registry
    from npcs.models import NPC

    NPC.objects.create(npc_id="n1", name="Ana", personality="Kind.", language="es")
    settings.VIRTULINGO_LLM = "gemini"
    settings.GOOGLE_API_KEY = ""
    reset_registry()
    try:
        with pytest.raises(CommandError, match="GOOGLE_API_KEY"):
            run("chat", "n1", "-m", "Hola")
    finally:
        reset_registry()
