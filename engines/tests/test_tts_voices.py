"""Voice ids are checked against what each engine has, and beginners hear slower speech."""

from __future__ import annotations

import pytest

from engines.registry import EngineRegistry
from engines.tts_base import speed_for_level
from virtulingo.demo_content import NPCS

pytestmark = pytest.mark.models  # loads espeak-ng's library and Piper's voice


@pytest.fixture(scope="module")
def registry(engine_config) -> EngineRegistry:
    return EngineRegistry(engine_config)


def test_every_demo_npc_voice_exists(registry: EngineRegistry) -> None:
    for npc in NPCS:
        assert registry.voice_problems(npc["language"], npc["voice"]) == [], npc["npc_id"]


def test_a_missing_voice_is_named_with_the_engine_s_voices(registry: EngineRegistry) -> None:
    (problem,) = registry.voice_problems("fr", {"espeak": "fr-fr"})
    assert "'fr-fr'" in problem and "espeak has: fr, fr-be, fr-ch" in problem
    (variant,) = registry.voice_problems("fr", {"espeak": "fr+nobody"})
    assert "'nobody'" in variant
    assert registry.voice_problems("fr", {"espeak": "fr+f3"}) == []
    (piper,) = registry.voice_problems("en", {"piper": "en_GB-nobody-low", "espeak": "en-us"})
    assert "en_GB-nobody-low" in piper and "en_US-joe-medium" in piper
    (engine,) = registry.voice_problems("en", {"polly": "Joanna", "espeak": "en-us"})
    assert "'polly' is not a text-to-speech engine" in engine


SAMPLES = 5


@pytest.mark.parametrize(
    ("engine", "language", "text"), [("piper", "en", "Here is your bread."), ("espeak", "fr", "Voici votre pain.")]
)
def test_a1_speech_is_slower_than_c1(registry: EngineRegistry, engine: str, language: str, text: str) -> None:
    tts = registry.tts(engine)
    assert speed_for_level("A1") < speed_for_level("A2") < speed_for_level("B1") == speed_for_level("C1") == 1.0
    # Piper draws each phoneme's length at random (single A1/C1 pairs measured 1.09-1.29x apart,
    # its fixed silences unscaled): compare the total of several syntheses, not one pair.
    a1 = [tts.synthesize_sync(text, language=language, speed=speed_for_level("A1")).seconds for _ in range(SAMPLES)]
    c1 = [tts.synthesize_sync(text, language=language, speed=speed_for_level("C1")).seconds for _ in range(SAMPLES)]
    assert sum(a1) > 1.1 * sum(c1), (a1, c1)
