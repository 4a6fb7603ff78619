"""The registry: built from settings, lazy, per-language choices, and a health report that loads nothing."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from engines import get_registry, reset_registry
from engines.config import EngineConfig, parse_grammar_choice
from engines.errors import EngineConfigurationError
from engines.interfaces import GRAMMAR_CATEGORIES
from engines.registry import EngineRegistry


def registry(**changes) -> EngineRegistry:
    return EngineRegistry(dataclasses.replace(EngineConfig(), **changes))


def test_the_taxonomy_is_the_grammar_apps() -> None:
    from vocabulary.taxonomy import MistakeCategory

    assert set(GRAMMAR_CATEGORIES) == set(MistakeCategory.values)


def test_grammar_choice_parsing() -> None:
    assert parse_grammar_choice("en=harper, *=llm") == {"en": "harper", "*": "llm"}
    assert parse_grammar_choice("languagetool") == {"*": "languagetool"}
    with pytest.raises(EngineConfigurationError, match="unknown engine 'grammarly'"):
        parse_grammar_choice("en=grammarly")


def test_unknown_engine_names_are_configuration_errors() -> None:
    with pytest.raises(EngineConfigurationError, match="VIRTULINGO_LLM"):
        registry(llm="gpt")
    with pytest.raises(EngineConfigurationError, match="VIRTULINGO_TTS"):
        registry(tts="festival")


def test_health_reports_states_without_loading_anything() -> None:
    reg = registry()
    report = reg.health()
    assert [e["engine"] for e in report["stt"]] == ["faster-whisper"]
    assert [e["engine"] for e in report["llm"]] == ["llama.cpp"]
    assert [e["engine"] for e in report["tts"]] == ["piper", "espeak-ng"]
    assert all(e["state"] == "not_loaded" for role in ("stt", "llm", "tts", "grammar") for e in report[role])
    assert report["grammar_languages"]["en"] == {"engine": "harper", "state": "not_loaded"}
    # Grammalecte for French: not loaded yet where installed, unavailable with the reason where not.
    french = report["grammar_languages"]["fr"]
    assert (
        french["engine"] == "grammalecte"
        and french["state"] == "not_loaded"
        or (french["state"] == "unavailable" and "python3-grammalecte" in french["reason"])
    )
    assert report["grammar_languages"]["de"]["state"] == "unavailable"
    assert reg.stt()._model is None and reg.llm()._llama is None  # nothing was loaded


def test_health_does_not_import_inference_libraries() -> None:
    code = (
        "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'virtulingo.settings');"
        "django.setup(); from engines import get_registry; get_registry().health();"
        "print(sorted(m for m in ('faster_whisper', 'llama_cpp', 'piper', 'ctranslate2', 'onnxruntime') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_server_engines_without_credentials_are_unavailable_with_the_reason() -> None:
    report = registry(llm="gemini", grammar={"en": "harper", "*": "llm"}).health()
    assert report["llm"][0]["state"] == "unavailable"
    assert "GOOGLE_API_KEY" in report["llm"][0]["reason"]
    assert report["grammar_languages"]["es"]["state"] == "unavailable"
    assert "GOOGLE_API_KEY" in report["grammar_languages"]["es"]["reason"]


@pytest.mark.asyncio
async def test_grammar_without_an_engine_for_the_language_is_unavailable_never_made_up() -> None:
    result = await registry().check_grammar("Yo soy ir a la tienda.", language="es", level="A1")
    assert result.status == "unavailable"
    assert not result.mistake_found
    assert result.correction == result.original == "Yo soy ir a la tienda."
    assert "no grammar engine is configured for 'es'" in result.reason


@pytest.mark.asyncio
async def test_grammar_with_harper_chosen_for_french_is_unavailable() -> None:
    result = await registry(grammar={"*": "harper"}).check_grammar("Je suis allé.", language="fr")
    assert result.status == "unavailable" and "does not cover 'fr'" in result.reason


@pytest.mark.asyncio
async def test_grammar_routes_english_to_harper() -> None:
    reg = registry()
    result = await reg.check_grammar("She don't like apples.", language="en")
    assert result.engine == "harper" and result.mistake_found
    reg.shutdown()


def test_tts_for_picks_piper_for_english_and_espeak_elsewhere() -> None:
    reg = registry()
    engine, voice = reg.tts_for("en", {"espeak": "fr"})
    assert (engine.name, voice) == ("piper", None)
    engine, voice = reg.tts_for("fr", {"espeak": "fr+f3"})
    assert (engine.name, voice) == ("espeak-ng", "fr+f3")
    engine, voice = reg.tts_for("de", {})
    assert (engine.name, voice) == ("espeak-ng", None)


def test_tts_for_honours_an_npc_piper_voice_that_speaks_the_language(tmp_path) -> None:
    from engines import bundled

    voice_file = tmp_path / "en_GB-test.onnx"
    voice_file.symlink_to(bundled.joe_voice())
    (tmp_path / "en_GB-test.onnx.json").write_text(bundled.joe_voice().with_suffix(".onnx.json").read_text())
    engine, voice = registry().tts_for("en", {"piper": str(voice_file)})
    assert (engine.name, voice) == ("piper", str(voice_file))


def test_get_registry_is_one_per_process_until_reset(settings, process_registry_set_aside) -> None:
    first = get_registry()
    assert get_registry() is first
    reset_registry()
    assert get_registry() is not first
    reset_registry()
