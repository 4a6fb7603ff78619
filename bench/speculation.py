"""Push-to-talk and hands-free first audio, speculation on against off, beside the engines'
floor, in one run (run by hand).

    .venv/bin/python bench/speculation.py [--turns 10] [--durations 2,5,10] [--release-ms 600]

Push-to-talk the Unity way: Piper-synthesized utterances streamed in 8192-byte frames in real
time, then the silence before the learner lets go of the talk key (``--release-ms``), then
`end_utterance`. First audio is timed from `end_utterance`. The learner hears each reply out
before speaking again (meanwhile the server prefills the next prompt, as in a real
conversation). Each case runs against a server with speculation on and one with it off
(VIRTULINGO_SPECULATIVE_REPLIES), same database, same engines:
- "pause, then release": the utterance and the release silence (speculation can hit);
- "pause, then more": two sentences with a pause between them as long as the release
  silence, then the release (the first speculation must be dropped: a miss must not cost).
Hits and misses come from the server's /health. Then, in the same run:
- hands-free (the stream endpoint) with a 0.7 s end-of-turn silence on the server with
  speculation on, timed from the last voiced sample, the learner again hearing each reply out
  (``--hands-free-turns``);
- the engines' floor for each length, in this process after the servers stopped: speech-to-text
  of the utterance + the language model's first sentence + its speech (bench/latency.py).
Progress to stderr, Markdown to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.latency import (  # noqa: E402
    UTTERANCES,
    Server,
    engine_floor,
    free_port,
    hands_free_session,
    log,
    player_session,
    summary,
    synthesize,
)
from engines.native_trial import cpu_model  # noqa: E402

SAMPLE_BYTES_PER_MS = 32
HANDS_FREE_SILENCE_MS = 700


def silence(ms: int) -> bytes:
    return bytes(ms * SAMPLE_BYTES_PER_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=10, help="turns per case and setting")
    parser.add_argument("--durations", default="2,5,10")
    parser.add_argument("--release-ms", type=int, default=600, help="silence before the key is let go")
    parser.add_argument("--hands-free-turns", type=int, default=10, help="0: no hands-free turns")
    parser.add_argument("--floor-runs", type=int, default=5, help="engine floor runs per length (0: none)")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    durations = [int(d) for d in args.durations.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="virtulingo-speculation-"))
    database = folder / "db.sqlite3"
    os.environ.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="virtulingo.settings")
    for key in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(key, None)

    log("Synthesizing utterances with Piper ...")
    # synthesize() appends 256 ms of silence; the release silence comes on top.
    release = silence(args.release_ms)
    cases: dict[str, list[bytes]] = {}
    speech: dict[int, list[bytes]] = {duration: synthesize(UTTERANCES[duration]) for duration in durations}
    for duration in durations:
        cases[f"{duration} s, pause then release"] = [pcm + release for pcm in speech[duration]]
    two = synthesize(UTTERANCES[2])
    cases["2+2 s, pause then more"] = [two[i] + release + two[(i + 1) % len(two)] + release for i in range(len(two))]

    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "release_ms": args.release_ms,
        "cases": {},
    }
    for setting in ("on", "off"):
        env = {"VIRTULINGO_SPECULATIVE_REPLIES": "true" if setting == "on" else "false"}
        server = Server(database=database, port=free_port(), extra_env=env, log_path=folder / f"{setting}.log")
        server.manage("migrate", "--noinput")
        server.manage("seed_demo")
        log(f"Starting the server (speculation {setting}) and waiting for its engines ...")
        server.start()
        try:
            for case, utterances in cases.items():
                log(f"{args.turns} turns, {case}, speculation {setting}:")
                before = _speculation(server)
                turns = asyncio.run(
                    player_session(
                        server.url(f"bench_spec_{setting}_{abs(hash(case))}"),
                        [utterances[i % len(utterances)] for i in range(args.turns)],
                        label=case,
                        listen=True,
                    )
                )
                after = _speculation(server)
                entry = report["cases"].setdefault(case, {})
                entry[setting] = {
                    "first_audio": summary([turn["first_audio"] for turn in turns if "first_audio" in turn]),
                    "hits": after["hits"] - before["hits"],
                    "misses": after["misses"] - before["misses"],
                }
            if setting == "on" and args.hands_free_turns:
                hands_free_speech = speech.get(5) or next(iter(speech.values()))
                log(f"{args.hands_free_turns} hands-free turns, {HANDS_FREE_SILENCE_MS} ms end-of-turn silence:")
                turns = asyncio.run(
                    hands_free_session(
                        server.url("bench_spec_hands_free"),
                        hands_free_speech,
                        turns=args.hands_free_turns,
                        silence_ms=HANDS_FREE_SILENCE_MS,
                        listen=True,
                    )
                )
                report["hands_free"] = {
                    "first_audio": summary([turn["first_audio"] for turn in turns if "first_audio" in turn]),
                    "server": summary(
                        [turn["server_speech_end_to_first_audio"] for turn in turns if "first_audio" in turn]
                    ),
                }
        finally:
            server.stop()

    if args.json:  # kept even if the floor below fails
        Path(args.json).write_text(json.dumps(report, indent=2))
    if args.floor_runs:
        for duration in durations:
            log(f"Engine floor, {duration} s utterances:")
            report.setdefault("floor", {})[f"{duration} s"] = engine_floor(speech[duration], runs=args.floor_runs)

    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    print(render(report))


def _speculation(server: Server) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/health", timeout=10) as response:
        return json.load(response)["speculation"]


def render(report: dict) -> str:
    lines = [
        f"{report['date']}, {report['machine']}; key released {report['release_ms']} ms after the speech.",
        "",
        "| case | first audio p50 / p95, speculation on (ms) | off (ms) | hits / misses (on) |",
        "|---|---|---|---|",
    ]
    for case, settings in report["cases"].items():
        on, off = settings["on"], settings["off"]
        lines.append(
            f"| {case} | {on['first_audio']['p50'] * 1000:.0f} / {on['first_audio']['p95'] * 1000:.0f} "
            f"| {off['first_audio']['p50'] * 1000:.0f} / {off['first_audio']['p95'] * 1000:.0f} "
            f"| {on['hits']} / {on['misses']} |"
        )
    if hands_free := report.get("hands_free"):
        client, server = hands_free["first_audio"], hands_free["server"]
        lines += [
            "",
            f"Hands-free, {HANDS_FREE_SILENCE_MS} ms end-of-turn silence, speculation on: speech end -> first audio "
            f"p50 / p95 {client['p50'] * 1000:.0f} / {client['p95'] * 1000:.0f} ms (client), "
            f"{server['p50'] * 1000:.0f} / {server['p95'] * 1000:.0f} ms (server), n={client['n']}.",
        ]
    if floors := report.get("floor"):
        lines += [
            "",
            "| engine floor (median) | STT | LLM first sentence | TTS first sentence | sum |",
            "|---|---|---|---|---|",
        ]
        for length, floor in floors.items():
            lines.append(
                f"| {length} | {floor['stt'] * 1000:.0f} | {floor['llm_first_sentence'] * 1000:.0f} "
                f"| {floor['tts_first_sentence'] * 1000:.0f} | {floor['floor'] * 1000:.0f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
