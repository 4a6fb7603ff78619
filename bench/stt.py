"""Speech-to-text decoding settings, measured (run by hand; not part of the test suite).

    .venv/bin/python bench/stt.py [--json bench/results/stt.json] [--configs "before (beam 1)"]
    .venv/bin/python bench/stt.py --espeak-variants [--json bench/results/espeak_variants.json]

Synthesizes learner-like sentences in every demo language (Piper's embedded voice for
English, espeak-ng for French, Spanish and German), clean and with white noise at 10 dB SNR,
then transcribes each clip with the embedded Whisper base under several decoding settings
and reports, per language and setting, the word error rate (jiwer, on lower-cased text
without punctuation), the median and worst latency, and how many transcripts were longer
than the product's bound (``engines.stt_whisper.word_budget``) before it was applied.

``--espeak-variants`` instead measures how intelligible espeak-ng's voice variants are: the
clean French, Spanish and German sentences in each variant, transcribed with the product's
settings; the word error rate stands in for a listener (lower is clearer).

``--threads`` instead measures CTranslate2's thread and worker settings with the product's
decoding, for both encoder windows: 2 threads (the product), 1 thread, and 2 workers of 1
thread each transcribing two clips at once (two learners who stop speaking together); per
clip latency, the wall time of all clips (throughput) and the word error rate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")

import django  # noqa: E402

django.setup()

import jiwer  # noqa: E402
import numpy as np  # noqa: E402

from bench.engines import machine  # noqa: E402
from engines.audio import pcm16_to_float  # noqa: E402
from engines.config import EngineConfig  # noqa: E402
from engines.registry import EngineRegistry  # noqa: E402
from engines.stt_whisper import DECODING_GUARDS, bounded_segments, token_budget, word_budget  # noqa: E402
from vocabulary.audio import SPEECH_SAMPLE_RATE  # noqa: E402

# Sentences a learner says to the demo NPCs (ours, written for this benchmark).
SENTENCES = {
    "en": [
        "Good morning, I would like two loaves of bread, please.",
        "How much is the chocolate cake?",
        "Do you have anything without sugar?",
        "I am looking for the train station.",
        "Can I pay with a card?",
        "My brother lost his wallet yesterday near the park.",
        "Thank you very much, have a nice day.",
        "What time do you open on Sunday?",
    ],
    "fr": [
        "Bonjour, je voudrais une baguette et deux croissants, s'il vous plaît.",
        "Combien coûte la tarte aux pommes ?",
        "Est-ce que vous avez du pain sans gluten ?",
        "Je cherche la gare, c'est loin d'ici ?",
        "Je peux payer avec ma carte ?",
        "Hier, j'ai perdu mon portefeuille près du parc.",
        "Merci beaucoup, bonne journée.",
        "À quelle heure ouvrez-vous le dimanche ?",
    ],
    "es": [
        "Hola, quiero un kilo de manzanas, por favor.",
        "¿Cuánto cuestan las naranjas?",
        "¿Tiene tomates frescos hoy?",
        "Estoy buscando la estación de tren.",
        "¿Puedo pagar con tarjeta?",
        "Ayer mi hermano perdió su cartera cerca del parque.",
        "Muchas gracias, que tenga un buen día.",
        "¿A qué hora abre el mercado el domingo?",
    ],
    "de": [
        "Guten Tag, ich möchte einen Kaffee, bitte.",
        "Was kostet der Apfelkuchen?",
        "Haben Sie auch Tee ohne Zucker?",
        "Ich suche den Bahnhof.",
        "Kann ich mit Karte bezahlen?",
        "Gestern hat mein Bruder seine Geldbörse im Park verloren.",
        "Vielen Dank und einen schönen Tag noch.",
        "Wann öffnen Sie am Sonntag?",
    ],
}

BEFORE = {"temperature": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], "condition_on_previous_text": False}
CONFIGS: dict[str, dict[str, Any]] = {
    # What the product did before: beam 1, faster-whisper's default guards, no bound.
    "before (beam 1)": {"beam_size": 1, **BEFORE, "bound": False},
    "beam 5, no bound": {"beam_size": 5, **BEFORE, "bound": False},
    "beam 1 + guards + bound": {"beam_size": 1, **DECODING_GUARDS, "bound": True},
    "beam 5 + guards + bound": {"beam_size": 5, **DECODING_GUARDS, "bound": True},
    "beam 5 + guards + bound + no_repeat_ngram 3": {
        "beam_size": 5,
        **DECODING_GUARDS,
        "no_repeat_ngram_size": 3,
        "bound": True,
    },
}
# Issue 14: the encoder reads the audio plus a margin instead of Whisper's 30 s window
# (engines/stt_whisper.py, ``window_margin_frames``), with the product's decoding.
for _margin in (0.0, 1.0, 2.0, 5.0, 8.0, 12.0):
    CONFIGS[f"beam 5 + guards + bound + short window {_margin:g} s"] = {
        "beam_size": 5,
        **DECODING_GUARDS,
        "bound": True,
        "window_margin_s": _margin,
    }
NORMALIZE = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.RemovePunctuation(),
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)


def normalize_text(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("'", " ").replace("’", " ").replace("-", " "))


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    return jiwer.wer(references, hypotheses, reference_transform=NORMALIZE, hypothesis_transform=NORMALIZE)


def synthesize(registry: EngineRegistry) -> list[tuple[str, str, str, np.ndarray]]:
    """(language, condition, reference, 16 kHz float samples) for every sentence, clean and noisy."""
    rng = np.random.default_rng(11)
    clips = []
    for language, sentences in SENTENCES.items():
        engine = registry.tts("piper" if language == "en" else "espeak")
        voice = None if language == "en" else language
        for sentence in sentences:
            audio = engine.synthesize_sync(sentence, language=language, voice=voice)
            samples = pcm16_to_float(audio.pcm, audio.sample_rate)
            pad = np.zeros(SPEECH_SAMPLE_RATE // 4, dtype=np.float32)
            samples = np.concatenate([pad, samples, pad])
            clips.append((language, "clean", sentence, samples))
            power = float(np.mean(samples**2))
            noise = rng.normal(0.0, np.sqrt(power / 10.0), samples.shape).astype(np.float32)
            clips.append((language, "noise 10 dB", sentence, np.clip(samples + noise, -1.0, 1.0)))
    return clips


def transcribe(model: Any, samples: np.ndarray, language: str, config: dict[str, Any]) -> tuple[str, int]:
    """(text, words before the bound)."""
    options = {k: v for k, v in config.items() if k not in {"bound", "window_margin_s"}}
    margin = config.get("window_margin_s")
    model.window_margin_frames = None if margin is None else round(margin * 100)
    seconds = len(samples) / SPEECH_SAMPLE_RATE
    if config["bound"]:
        options["max_new_tokens"] = token_budget(seconds)
    segments, _info = model.transcribe(samples, language=language, vad_filter=True, without_timestamps=True, **options)
    if config["bound"]:
        texts, _words, _cut = bounded_segments(segments, word_budget(seconds))
    else:
        texts = [segment.text.strip() for segment in segments]
    text = " ".join(t for t in texts if t)
    return text, len(text.split())


ESPEAK_VARIANTS = ["", "+m3", "+m7", "+f2", "+klatt"]


def espeak_variants(registry: EngineRegistry, languages: list[str], variants: list[str]) -> dict[str, Any]:
    stt, espeak = registry.stt(), registry.tts("espeak")
    results: dict[str, Any] = {}
    for language in languages:
        for variant in variants:
            voice = f"{language}{variant}"
            refs, hyps = [], []
            for sentence in SENTENCES[language]:
                audio = espeak.synthesize_sync(sentence, language=language, voice=voice)
                text = stt.transcribe_sync(audio.pcm, sample_rate=audio.sample_rate, language=language).text
                refs.append(normalize_text(sentence))
                hyps.append(normalize_text(text) or "<empty>")
            wer = word_error_rate(refs, hyps)
            results[voice] = round(wer, 3)
            print(voice, results[voice], flush=True)
    return results


# (label, CTranslate2 threads per call, workers = clips transcribed at once)
THREAD_LAYOUTS = [
    ("2 threads, 1 at a time (the product)", 2, 1),
    ("1 thread, 1 at a time", 1, 1),
    ("1 thread each, 2 at once", 1, 2),
]


def thread_layouts(config: EngineConfig, clips: list[tuple[str, str, str, np.ndarray]]) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    from engines import bundled
    from engines.stt_whisper import SHORT_WINDOW_MARGIN_FRAMES, short_window_model_class

    source = str(bundled.whisper_base(config.model_cache))
    product = CONFIGS["beam 5 + guards + bound"]
    results: dict[str, Any] = {}
    for window, margin in (("30 s", None), ("audio + 5 s", SHORT_WINDOW_MARGIN_FRAMES)):
        for label, threads, workers in THREAD_LAYOUTS:
            model = short_window_model_class()(
                source, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers
            )
            settings = {**product, "window_margin_s": None if margin is None else margin / 100}
            transcribe(model, clips[0][3], "en", settings)  # warm

            def timed(clip: tuple[str, str, str, np.ndarray], model: Any = model, settings: dict = settings):
                language, _condition, reference, samples = clip
                started = time.perf_counter()
                text, _words = transcribe(model, samples, language, settings)
                return language, reference, text, time.perf_counter() - started

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                done = list(pool.map(timed, clips))
            wall = time.perf_counter() - started
            entry: dict[str, Any] = {"wall_s": round(wall, 2), "clips": len(done)}
            for language in SENTENCES:
                mine = [d for d in done if d[0] == language]
                if not mine:
                    continue
                times = sorted(d[3] for d in mine)
                entry[language] = {
                    "wer": round(
                        word_error_rate(
                            [normalize_text(d[1]) for d in mine], [normalize_text(d[2]) or "<empty>" for d in mine]
                        ),
                        3,
                    ),
                    "median_s": round(statistics.median(times), 3),
                    "max_s": round(times[-1], 3),
                }
            results[f"{window}, {label}"] = entry
            print(f"{window}, {label}: {json.dumps(entry)}", file=sys.stderr, flush=True)
            del model
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--configs", default="", help="comma-separated names (default: all)")
    parser.add_argument("--espeak-variants", action="store_true", help="measure espeak-ng's voice variants instead")
    parser.add_argument("--languages", default="fr,es,de", help="for --espeak-variants")
    parser.add_argument("--variants", default=",".join(ESPEAK_VARIANTS), help="for --espeak-variants ('' = none)")
    parser.add_argument("--threads", action="store_true", help="measure thread and worker settings instead")
    parser.add_argument("--thread-languages", default="en,fr", help="for --threads")
    args = parser.parse_args()
    config = EngineConfig.from_settings()
    registry = EngineRegistry(config)
    stt = registry.stt()
    stt.load()
    if args.espeak_variants:
        report = {
            "machine": machine(),
            "stt": stt.describe(),
            "wer": espeak_variants(registry, args.languages.split(","), args.variants.split(",")),
        }
        emit(report, args.json)
        return
    model = stt._model
    clips = synthesize(registry)
    if args.threads:
        languages = args.thread_languages.split(",")
        report = {
            "machine": machine(),
            "model": "whisper-base int8, beam 5 + guards + bound",
            "layouts": thread_layouts(config, [clip for clip in clips if clip[0] in languages]),
        }
        emit(report, args.json)
        return
    chosen = [c.strip() for c in args.configs.split(",") if c.strip()] or list(CONFIGS)
    report: dict[str, Any] = {"machine": machine(), "model": "whisper-base int8", "clips": len(clips), "results": {}}
    transcribe(model, clips[0][3], "en", CONFIGS[chosen[0]])  # warm
    for name in chosen:
        settings = CONFIGS[name]
        per_language: dict[str, Any] = {}
        for language in SENTENCES:
            refs, hyps, times, over, examples = [], [], [], 0, []
            by_condition: dict[str, tuple[list[str], list[str]]] = {}
            for clip_language, condition, reference, samples in clips:
                if clip_language != language:
                    continue
                started = time.perf_counter()
                text, words = transcribe(model, samples, language, settings)
                times.append(time.perf_counter() - started)
                if words > word_budget(len(samples) / SPEECH_SAMPLE_RATE):
                    over += 1
                refs.append(normalize_text(reference))
                hyps.append(normalize_text(text) or "<empty>")
                condition_refs, condition_hyps = by_condition.setdefault(condition, ([], []))
                condition_refs.append(refs[-1])
                condition_hyps.append(hyps[-1])
                if normalize_text(text).lower() != normalize_text(reference).lower():
                    examples.append(f"[{condition}] {text[:120]}")
            wer = word_error_rate(refs, hyps)
            per_language[language] = {
                "wer": round(wer, 3),
                **{f"wer {condition}": round(word_error_rate(r, h), 3) for condition, (r, h) in by_condition.items()},
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "over_bound": over,
                "examples": examples[:4],
            }
            print(
                name,
                language,
                per_language[language]["wer"],
                per_language[language].get("wer clean"),
                per_language[language]["median_s"],
                per_language[language]["max_s"],
                over,
                flush=True,
            )
        report["results"][name] = per_language
    emit(report, args.json)


def emit(report: dict[str, Any], path: Path | None) -> None:
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
