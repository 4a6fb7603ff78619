"""Engine benchmarks on this machine (run by hand; not part of the test suite).

    .venv/bin/python bench/engines.py [--runs 3] [--json bench/results/engines.json] [--only grammar]

Measures, for the embedded engines: load time; speech-to-text seconds and
real-time factor for 2 s / 5 s / 15 s utterances (language forced, the configured beam, VAD on;
plus auto-detect and silence for comparison); language-model time to first token
and tokens/s; text-to-speech time to first audio and real-time factor; grammar
latency; and the grammar checkers' scores as shared/grammar_eval/README.md defines them: Harper
on en.jsonl, Grammalecte on fr.jsonl and on our own French learner sentences
(grammar/eval/fr_own.jsonl), before (Grammalecte's raw first suggestions), with the correction
search alone, and now. Every timing is the median of ``--runs`` warm runs.
The speech is generated with Piper, so no audio file is needed. ``--only`` runs some
sections alone (comma-separated: loads, stt, llm, tts, grammar); ``--only grammar`` loads
neither Whisper nor the language model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from engines import grammar_rules_fr  # noqa: E402
from engines.config import EngineConfig  # noqa: E402
from engines.interfaces import ChatMessage  # noqa: E402
from engines.registry import EngineRegistry  # noqa: E402

EVAL_SET = ROOT.parent / "shared" / "grammar_eval" / "en.jsonl"
FR_EVAL_SET = ROOT.parent / "shared" / "grammar_eval" / "fr.jsonl"
FR_OWN_SET = ROOT / "grammar" / "eval" / "fr_own.jsonl"  # ours: learner sentences not in the fixed set
LONG_TEXT = (
    "Good morning! I would like two loaves of bread and a small chocolate cake, please. "
    "My sister is having a birthday party tomorrow, and she loves chocolate more than anything. "
    "Could you also tell me when the bakery opens on Sunday? Last week I came at eight and it was still closed. "
    "Thank you very much, have a nice day!"
)
PERSONA = (
    "You are Tom, a cheerful baker in a small English town. Reply only in English, in one or two short "
    "sentences, at CEFR level A2. Stay in character."
)


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1m_at_start": load,
    }


def bench_loads(registry: EngineRegistry) -> dict[str, float]:
    engines = {
        "stt faster-whisper (Whisper base int8)": registry.stt(),
        "llm llama.cpp (SmolLM2-135M Q4_1)": registry.llm("local"),
        "tts piper (en_US joe medium)": registry.tts("piper"),
        "tts espeak-ng": registry.tts("espeak"),
        "grammar harper": registry.grammar_engine("harper"),
    }
    return {name: round(timed(engine.load)[0], 3) for name, engine in engines.items()}


def bench_stt(registry: EngineRegistry, runs: int) -> dict[str, dict[str, float]]:
    stt, piper = registry.stt(), registry.tts("piper")
    speech = piper.synthesize_sync(LONG_TEXT, language="en")
    samples = np.frombuffer(speech.pcm, dtype="<i2")
    rate = speech.sample_rate
    results: dict[str, dict[str, float]] = {}
    stt.transcribe_sync(speech.pcm[: rate * 2 * 2], sample_rate=rate, language="en")  # warm
    for seconds in (2, 5, 15):
        clip = samples[: int(seconds * rate)]
        if len(clip) < seconds * rate:  # pad with silence if the speech is shorter
            clip = np.concatenate([clip, np.zeros(int(seconds * rate) - len(clip), dtype="<i2")])
        pcm = clip.tobytes()
        times = [timed(stt.transcribe_sync, pcm, sample_rate=rate, language="en")[0] for _ in range(runs)]
        results[f"{seconds} s, forced en"] = {
            "seconds": round(median(times), 3),
            "rtf": round(median(times) / seconds, 3),
        }
    # Auto-detection, for comparison (the product always forces the NPC's language).
    from engines.audio import pcm16_to_float

    five = pcm16_to_float(samples[: 5 * rate].tobytes(), rate)

    def auto() -> None:
        segments, _info = stt._model.transcribe(five, language=None, beam_size=1, vad_filter=True)
        list(segments)

    times = [timed(auto)[0] for _ in range(runs)]
    results["5 s, auto-detect"] = {"seconds": round(median(times), 3), "rtf": round(median(times) / 5, 3)}
    silence = bytes(2 * 16000 * 2)
    times = [timed(stt.transcribe_sync, silence, sample_rate=16000, language="en")[0] for _ in range(runs)]
    results["2 s silence (VAD on)"] = {"seconds": round(median(times), 3), "rtf": round(median(times) / 2, 3)}
    return results


async def _llm_once(llm, max_tokens: int) -> tuple[float, int, float]:  # type: ignore[no-untyped-def]
    messages = [ChatMessage("system", PERSONA), ChatMessage("user", "Hello! What do you sell today?")]
    started = time.perf_counter()
    first = None
    count = 0
    async for _delta in llm.stream(messages, temperature=0.8, max_tokens=max_tokens):
        if first is None:
            first = time.perf_counter() - started
        count += 1
    total = time.perf_counter() - started
    return first or total, count, total


def bench_llm(registry: EngineRegistry, runs: int) -> dict[str, float]:
    llm = registry.llm("local")
    llm._llama.reset()  # cold prompt: the KV-cache prefix reuse is measured separately below
    cold_first, _, _ = asyncio.run(_llm_once(llm, 64))
    firsts, rates = [], []
    for _ in range(runs):
        first, count, total = asyncio.run(_llm_once(llm, 64))
        firsts.append(first)
        if count > 1 and total > first:
            rates.append((count - 1) / (total - first))
    return {
        "first token, cold prompt (s)": round(cold_first, 3),
        "first token, same system prompt as last turn (s)": round(median(firsts), 3),
        "tokens per second": round(median(rates), 1) if rates else 0.0,
    }


async def _tts_once(engine, text: str, language: str) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    first = None
    seconds = 0.0
    async for audio in engine.stream(text, language=language):
        if first is None:
            first = time.perf_counter() - started
        seconds += audio.seconds
    return first or 0.0, time.perf_counter() - started, seconds


def bench_tts(registry: EngineRegistry, runs: int) -> dict[str, dict[str, float]]:
    cases = {
        "piper en, one sentence": (registry.tts("piper"), "I would like two loaves of bread, please.", "en"),
        "piper en, three sentences": (registry.tts("piper"), LONG_TEXT.split("?")[0] + "?", "en"),
        "espeak-ng fr, one sentence": (registry.tts("espeak"), "Je voudrais deux baguettes, s'il vous plaît.", "fr"),
    }
    results = {}
    for name, (engine, text, language) in cases.items():
        asyncio.run(_tts_once(engine, text, language))  # warm
        samples = [asyncio.run(_tts_once(engine, text, language)) for _ in range(runs)]
        first = median([s[0] for s in samples])
        total = median([s[1] for s in samples])
        audio = median([s[2] for s in samples])
        results[name] = {"first_audio_s": round(first, 4), "rtf": round(total / audio, 4), "audio_s": round(audio, 2)}
    return results


def score_grammar(check, eval_set: Path, runs: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The scores of shared/grammar_eval/README.md for ``check`` (utterance -> GrammarResult) on ``eval_set``."""
    cases = [json.loads(line) for line in eval_set.read_text().splitlines() if line.strip()]
    latencies: list[float] = []
    tp = fp = fn = tn = correct_fix = correct_category = 0
    for case in cases:
        times = []
        for _ in range(runs):
            elapsed, result = timed(check, case["utterance"])
            times.append(elapsed)
        latencies.append(median(times))
        has_error = bool(case["corrections"])
        if result.mistake_found and has_error:
            tp += 1
            if " ".join(result.correction.split()) in {" ".join(c.split()) for c in case["corrections"]}:
                correct_fix += 1
            if result.category in case["categories"]:
                correct_category += 1
        elif result.mistake_found:
            fp += 1
        elif has_error:
            fn += 1
        else:
            tn += 1
    erroneous = tp + fn
    return {
        "set": str(eval_set.relative_to(ROOT if eval_set.is_relative_to(ROOT) else ROOT.parent)),
        "utterances": len(cases),
        "with errors": erroneous,
        "correct": fp + tn,
        "detection precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
        "detection recall": round(tp / erroneous, 3) if erroneous else 0.0,
        "correction accuracy (of utterances with errors)": round(correct_fix / erroneous, 3) if erroneous else 0.0,
        "correction accuracy (of detected)": round(correct_fix / tp, 3) if tp else 0.0,
        "category accuracy (of detected)": round(correct_category / tp, 3) if tp else 0.0,
        "false alarms on correct utterances": f"{fp}/{fp + tn}",
        "latency median (ms)": round(median(latencies) * 1000, 3),
        "latency max (ms)": round(max(latencies) * 1000, 3),
    }


def bench_grammar(registry: EngineRegistry, runs: int) -> dict[str, object]:
    harper = registry.grammar_engine("harper")
    return score_grammar(harper.check_sync, EVAL_SET, runs)


def grammalecte_first_suggestions(engine):  # type: ignore[no-untyped-def]
    """The baseline: Grammalecte alone (same options), every error's first suggestion applied at
    once, no re-check and none of our rules; what the engine did before its correction search."""
    from engines.interfaces import GrammarEdit, GrammarResult

    def check(utterance: str) -> GrammarResult:
        text = " ".join(utterance.split())
        errors, _spelling = engine._checker.getParagraphErrors(text, dOptions=engine._options)
        corrected, edits = text, []
        for error in sorted(errors, key=lambda e: e["nStart"], reverse=True):
            start, end = int(error["nStart"]), int(error["nEnd"])
            original = text[start:end]
            suggestions = [s.replace("’", "'") for s in error.get("aSuggestions") or []]
            replacement = suggestions[0] if suggestions else original
            corrected = corrected[:start] + replacement + corrected[end:]
            category = engine._category(error, original, tuple(suggestions))
            edits.append(GrammarEdit(original, replacement, category, str(error["sMessage"]), 2))
        return GrammarResult.from_edits(
            utterance=utterance, correction=" ".join(corrected.split()), edits=edits[::-1], language="fr", engine="raw"
        )

    return check


def bench_grammar_fr(registry: EngineRegistry, runs: int) -> dict[str, object]:
    engine = registry.grammar_engine("grammalecte")
    engine.load()
    engine.check_sync("Ils mange du pain.")  # warm: the conjugation tables load on first use
    report: dict[str, object] = {}
    for name, eval_set in (("fixed set", FR_EVAL_SET), ("our own sentences", FR_OWN_SET)):
        report[f"{name}, raw first suggestions (before)"] = score_grammar(
            grammalecte_first_suggestions(engine), eval_set, runs
        )
        # What the correction search alone does, without our learner rules.
        rules, grammar_rules_fr.RULES[:] = list(grammar_rules_fr.RULES), []
        try:
            report[f"{name}, correction search, no learner rules"] = score_grammar(engine.check_sync, eval_set, runs)
        finally:
            grammar_rules_fr.RULES[:] = rules
        report[f"{name}, engine (now)"] = score_grammar(engine.check_sync, eval_set, runs)
    return report


SECTIONS = ("loads", "stt", "llm", "tts", "grammar")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", default="", help="also write the results to this JSON file")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default: all of {', '.join(SECTIONS)})",
    )
    args = parser.parse_args()
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    config = EngineConfig.from_settings()
    registry = EngineRegistry(config)
    report: dict[str, object] = {
        "machine": machine(),
        "settings": {
            "threads": config.threads,
            "llm_threads": config.llm_threads,
            "stt_beam": config.stt_beam_size,
            "stt_compute_type": config.stt_compute_type,
            "runs": args.runs,
        },
    }
    if "loads" in only:
        report["load_seconds"] = bench_loads(registry)
    if "stt" in only:
        report["stt"] = bench_stt(registry, args.runs)
    if "llm" in only:
        report["llm"] = bench_llm(registry, args.runs)
    if "tts" in only:
        report["tts"] = bench_tts(registry, args.runs)
    if "grammar" in only:
        report["grammar_en_harper"] = bench_grammar(registry, args.runs)
        report["grammar_fr_grammalecte"] = bench_grammar_fr(registry, args.runs)
    report["machine"]["load_average_1m_at_end"] = os.getloadavg()[0]  # type: ignore[index]
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n")
    registry.shutdown()


if __name__ == "__main__":
    main()
