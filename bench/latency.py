"""End-to-end voice-loop latency, measured like a player (run by hand; not part of the tests).

    .venv/bin/python bench/latency.py [--turns 20] [--durations 2,5,10] [--json out.json]

Starts the server as a user would (Daphne, embedded engines, its own SQLite database
with the demo content), connects like the Unity client (no Origin, 8192-byte PCM16
frames every 256 ms, then end_utterance) and plays Piper-synthesized utterances of about
2, 5 and 10 seconds in real time. For each turn it records, from the moment
end_utterance was sent: transcription, first audio frame (the headline) and
turn_complete. Then, in the same run:
- the engines' own floor (speech-to-text of the same 5 s utterance + the language
  model's first sentence for the same prompt + text-to-speech of that sentence),
  measured in this process with no server in between;
- grammar on vs off: first audio with the default English grammar checker and with
  VIRTULINGO_GRAMMAR=none, and turn_complete -> grammar_correction;
- 4 learners talking at once, each taking a turn about every 10 s.
Progress goes to stderr; the summary (Markdown) to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FRAME_BYTES = 8192
FRAME_SECONDS = FRAME_BYTES / 2 / 16000
END_UTTERANCE = '{"type":"end_utterance","text":"","enabled":false}'
NPC_ID = "baker_01"
# Roughly 2, 5 and 10 seconds when Piper speaks them (the real durations are reported).
# Several per length, taken in turn: a learner does not say the same thing twenty times,
# and a small model fed the same line again and again starts repeating itself.
UTTERANCES = {
    2: [
        "Good morning, some bread please.",
        "Do you have any croissants?",
        "How much is this cake?",
        "I would like two apples.",
        "Thank you, have a nice day.",
    ],
    5: [
        "Good morning! I would like two loaves of bread and a small chocolate cake for my sister, please.",
        "Could you tell me when the bakery opens on Sunday? I want to come early with my friends.",
        "I am looking for a birthday cake with strawberries. Do you make them here, or do I need to order one?",
        "My brother says your croissants are the best in town. Can I buy four of them for breakfast?",
        "Is the bread from today? Yesterday I bought a loaf here and it was very good, thank you.",
    ],
    10: [
        "Good morning! I would like two loaves of bread and a small chocolate cake, please. "
        "My sister is having a birthday party tomorrow, and she loves chocolate more than anything.",
        "Hello, I am new in this town and I am looking for a good bakery. A friend told me about your shop, "
        "so I came here to try your bread. What do you recommend for a family breakfast?",
        "Last week I bought an apple pie here and my children loved it. Do you still have some today? "
        "If not, could I order one for Saturday morning, because we have guests for lunch.",
        "Excuse me, I would like to know if you have bread without gluten. My mother cannot eat normal bread, "
        "and I want to make sandwiches for her when she visits us next week.",
        "Good afternoon! Could you help me choose a cake for my teacher? It is the last day of school, "
        "and all the students want to give her something sweet to say thank you.",
    ],
}
# Learner sentences with errors the embedded English checker finds.
MISTAKES = [
    "She go to the bakery every morning.",
    "Yesterday I buyed three croissants for my brother.",
    "He don't like the chocolate cake.",
    "I have a informations about the bread.",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(values), "p95": percentile(values, 95), "n": len(values)}


# --- the server, as a user starts it ---------------------------------------------------


class Server:
    def __init__(self, *, database: Path | str, port: int, extra_env: dict[str, str], log_path: Path) -> None:
        """``database``: a SQLite file, or a database URL (bench/load.py's servers share PostgreSQL).
        Redis and the broker only when ``extra_env`` names them."""
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}}
        env.update(DATABASE_URL=database if isinstance(database, str) else f"sqlite:///{database}", **extra_env)
        self.env = env
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "virtulingo.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log_path}")
            health = self._health()
            engines = (health or {}).get("engines", {})
            states = [engine.get("state") for role in ("stt", "llm", "tts") for engine in _as_list(engines.get(role))]
            if states and all(state == "ready" for state in states):
                return
            time.sleep(1)
        raise SystemExit(f"the server's engines were not ready within 300 s; see {self.log_path}")

    def _health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=5) as response:
                return json.load(response)
        except OSError:
            return None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def url(self, player: str) -> str:
        return f"ws://127.0.0.1:{self.port}/api/conversations/ws/{player}/{NPC_ID}"


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- one player ----------------------------------------------------------------------------


def wav_seconds(wav: bytes) -> float:
    """How long a reply's WAV frame plays (PCM16 mono, its rate in the header)."""
    rate = int.from_bytes(wav[24:28], "little")
    return max(0, len(wav) - 44) / 2 / rate if rate else 0.0


async def play_turn(ws, pcm: bytes, *, wait_for_grammar: float = 0.0) -> dict:
    """Stream one utterance in real time, end it, and time what comes back."""
    frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)]
    started = time.monotonic()
    for index, frame in enumerate(frames):
        # Real time, like a microphone: frame k leaves once its 256 ms have been captured.
        await asyncio.sleep(max(0.0, started + (index + 1) * FRAME_SECONDS - time.monotonic()))
        await ws.send(frame)
    sent = time.monotonic()
    await ws.send(END_UTTERANCE)
    result: dict = {"ended_at": sent}
    while True:
        frame = await asyncio.wait_for(ws.recv(), 120)
        now = time.monotonic() - sent
        if isinstance(frame, bytes):
            result.setdefault("first_audio", now)
            result["audio_seconds"] = result.get("audio_seconds", 0.0) + wav_seconds(frame)
            continue
        event = json.loads(frame)
        if event["type"] == "transcription":
            result["transcription"] = now
            result["text"] = event["text"]
        elif event["type"] == "grammar_correction":
            result["grammar_at"] = now
        elif event["type"] == "turn_complete":
            result["turn_complete"] = now
            result["server"] = event["metrics"]
            break
    if wait_for_grammar and "grammar_at" not in result:
        deadline = time.monotonic() + wait_for_grammar
        while time.monotonic() < deadline:
            try:
                frame = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
            if isinstance(frame, str) and json.loads(frame)["type"] == "grammar_correction":
                result["grammar_at"] = time.monotonic() - sent
                break
    if "grammar_at" in result:
        # Negative when the correction came first (PROTOCOL.md allows either order).
        result["complete_to_grammar"] = result["grammar_at"] - result["turn_complete"]
    return result


async def hands_free_session(
    url: str, utterances: list[bytes], *, turns: int, silence_ms: int, listen: bool = False
) -> list[dict]:
    """The stream endpoint: speech then silence in real time, no end_utterance; the time runs
    from the end of the speech audio (the end-of-turn silence wait is part of the latency).
    ``listen``: the learner hears the reply out (the microphone sending silence meanwhile)
    before speaking again, so the server's work after the first sentence overlaps the next turn
    as it would in a conversation; otherwise the next turn starts a second after turn_complete."""
    import numpy as np
    import websockets

    def frames_and_voice_end(pcm: bytes) -> tuple[list[bytes], float]:
        samples = np.frombuffer(pcm, dtype="<i2")
        # Where the voice really ends (Piper leaves some quiet after the words).
        voice_end = (int(np.flatnonzero(np.abs(samples) > 1000)[-1]) + 1) / 16000
        padded = pcm + bytes(-len(pcm) % FRAME_BYTES)
        return [padded[i : i + FRAME_BYTES] for i in range(0, len(padded), FRAME_BYTES)], voice_end

    results = []
    async with websockets.connect(url.replace("/ws/", "/ws/stream/"), origin=None, max_size=None) as ws:
        await ws.send(json.dumps({"type": "config", "end_of_turn_silence_ms": silence_ms}))
        for index in range(turns):
            frames, voice_end_seconds = frames_and_voice_end(utterances[index % len(utterances)])
            started = time.monotonic()
            speech_end = started + voice_end_seconds

            async def send(frames: list[bytes] = frames, started: float = started) -> None:
                for k in itertools.count():
                    await asyncio.sleep(max(0.0, started + (k + 1) * FRAME_SECONDS - time.monotonic()))
                    await ws.send(frames[k] if k < len(frames) else bytes(FRAME_BYTES))

            sender = asyncio.create_task(send())
            result: dict = {}
            audio_seconds = 0.0
            try:
                while True:
                    frame = await asyncio.wait_for(ws.recv(), 120)
                    if isinstance(frame, bytes):
                        result.setdefault("first_audio", time.monotonic() - speech_end)
                        audio_seconds += wav_seconds(frame)
                        continue
                    event = json.loads(frame)
                    if event["type"] == "turn_complete":
                        result["server_speech_end_to_first_audio"] = (
                            event["metrics"].get("speech_end_to_first_audio_ms", float("nan")) / 1000
                        )
                        break
                # The silence sent meanwhile ends nothing: there is no speech in it.
                if listen and "first_audio" in result:
                    heard_until = speech_end + result["first_audio"] + audio_seconds
                    await asyncio.sleep(max(0.0, heard_until - time.monotonic()))
                else:
                    await asyncio.sleep(1.0)
            finally:
                sender.cancel()
            results.append(result)
            log(
                f"  hands-free ({silence_ms} ms) turn {index + 1}/{turns}: speech end -> first audio "
                f"{result.get('first_audio', float('nan')):.3f} s"
            )
    return results


async def player_session(
    url: str,
    utterances: list[bytes],
    *,
    every_seconds: float = 0.0,
    wait_for_grammar: float = 0.0,
    label: str = "",
    listen: bool = False,
) -> list[dict]:
    """One socket's turns, one after the other. ``listen``: the learner hears the reply out
    (as long as its audio plays, from its first frame) before speaking again."""
    import websockets

    results = []
    async with websockets.connect(url, origin=None, max_size=None) as ws:
        for index, pcm in enumerate(utterances):
            began = time.monotonic()
            result = await play_turn(ws, pcm, wait_for_grammar=wait_for_grammar)
            results.append(result)
            first_audio = result.get("first_audio", float("nan"))
            log(
                f"  {label} turn {index + 1}/{len(utterances)}: first audio {first_audio:.3f} s, "
                f"turn_complete {result['turn_complete']:.3f} s  ({result.get('text', '')!r})"
            )
            if listen and "first_audio" in result:
                heard_until = result["ended_at"] + result["first_audio"] + result["audio_seconds"]
                await asyncio.sleep(max(0.0, heard_until - time.monotonic()))
            if every_seconds:
                await asyncio.sleep(max(0.0, began + every_seconds - time.monotonic()))
    return results


# --- the engines' own floor -----------------------------------------------------------------


def engine_floor(utterances: list[bytes], *, runs: int) -> dict[str, float]:
    """STT + LLM first sentence + TTS first sentence, in this process, for the server's prompt.
    Each run takes the next utterance, and the model has read the system prompt beforehand
    (as the server's model has read the persona and history): it reads the learner's words."""
    import logging
    from contextlib import aclosing

    import django
    from asgiref.sync import sync_to_async

    django.setup()
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    from conversations.prompts import npc_prompt_messages
    from conversations.segmenter import SentenceSegmenter
    from engines.registry import get_registry
    from npcs.models import NPC
    from players.world_state import PlayerWorldState

    registry = get_registry()
    registry.warmup_sync(roles=("stt", "llm", "tts"))
    npc = NPC.objects.select_related("scene").get(npc_id=NPC_ID)
    stt, llm = registry.stt(), registry.llm()
    tts, voice = registry.tts_for("en", npc.voice)
    totals: dict[str, list[float]] = {"stt": [], "llm_first_sentence": [], "tts_first_sentence": [], "floor": []}

    async def once(pcm: bytes) -> None:
        started = time.perf_counter()
        transcript = (await stt.transcribe(pcm, language="en")).text
        stt_s = time.perf_counter() - started
        # The prompt reads the scene's translations from the database: not on the event loop.
        messages = await sync_to_async(npc_prompt_messages)(
            npc=npc,
            language="en",
            player_level="A2",
            utterance=transcript,
            relationship="a stranger",
            world_state=PlayerWorldState(player_id="bench"),
            nearby_names=[],
            history=[],
        )
        await llm.prefill(messages[:-1])
        started = time.perf_counter()
        segmenter, sentence = SentenceSegmenter(), ""
        async with aclosing(llm.stream(messages, max_tokens=120)) as deltas:
            async for delta in deltas:
                if ready := segmenter.feed(delta):
                    sentence = ready[0]
                    break
        sentence = sentence or segmenter.flush()
        llm_s = time.perf_counter() - started
        started = time.perf_counter()
        await tts.synthesize(sentence, language="en", voice=voice)
        tts_s = time.perf_counter() - started
        for key, value in (
            ("stt", stt_s),
            ("llm_first_sentence", llm_s),
            ("tts_first_sentence", tts_s),
            ("floor", stt_s + llm_s + tts_s),
        ):
            totals[key].append(value)

    async def all_runs() -> None:
        for run in range(runs):
            await once(utterances[run % len(utterances)])
            log(f"  floor run {run + 1}/{runs}: {totals['floor'][-1]:.3f} s")

    asyncio.run(all_runs())
    return {key: statistics.median(values) for key, values in totals.items()}


# --- the benchmark ---------------------------------------------------------------------------


def synthesize(texts: list[str]) -> list[bytes]:
    import django

    django.setup()
    from engines.registry import get_registry
    from vocabulary.audio import pcm16_resample

    piper = get_registry().tts("piper")
    out = []
    for text in texts:
        audio = piper.synthesize_sync(text, language="en")
        out.append(pcm16_resample(pcm=audio.pcm, from_rate=audio.sample_rate, to_rate=16000) + bytes(8192))
    return out


def in_turn(items: list, count: int, start: int = 0) -> list:
    return [items[(start + i) % len(items)] for i in range(count)]


def stage_summary(results: list[dict]) -> dict[str, dict[str, float]]:
    stages = {}
    for stage in ("transcription", "first_audio", "turn_complete", "grammar_at", "complete_to_grammar"):
        values = [r[stage] for r in results if stage in r]
        if values:
            stages[stage] = summary(values)
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=20, help="turns per utterance length")
    parser.add_argument("--durations", default="2,5,10")
    parser.add_argument("--learners", type=int, default=4)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    durations = [int(d) for d in args.durations.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="virtulingo-bench-"))
    database = folder / "db.sqlite3"
    os.environ.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="virtulingo.settings")
    for key in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(key, None)

    log(f"Synthesizing utterances ({', '.join(f'{d} s' for d in durations)}) with Piper ...")
    speech = {d: synthesize(UTTERANCES[d]) for d in durations}
    mistakes = synthesize(MISTAKES)
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "audio_seconds": {d: round(statistics.mean(len(p) for p in pcms) / 32000, 2) for d, pcms in speech.items()},
    }

    def run_server(label: str, extra_env: dict[str, str], work) -> object:
        server = Server(database=database, port=free_port(), extra_env=extra_env, log_path=folder / f"{label}.log")
        server.manage("migrate", "--noinput")
        server.manage("seed_demo")
        log(f"Starting the server ({label}) and waiting for its engines ...")
        try:
            server.start()
            return asyncio.run(work(server))
        finally:
            server.stop()

    async def sequential(server: Server) -> dict:
        results = {}
        for duration in durations:
            log(f"{args.turns} turns of a {report['audio_seconds'][duration]} s utterance, in real time:")
            turns = await player_session(
                server.url(f"bench_{duration}s"), in_turn(speech[duration], args.turns), label=f"{duration}s"
            )
            results[duration] = turns
        hands_free_audio = speech[5] if 5 in speech else speech[durations[0]]  # a list: one per turn, in turn
        for silence_ms in (700, 1200):
            log(f"{args.turns} hands-free turns, end of turn after {silence_ms} ms of silence:")
            results[f"hands_free_{silence_ms}"] = await hands_free_session(
                server.url(f"bench_hands_free_{silence_ms}"), hands_free_audio, turns=args.turns, silence_ms=silence_ms
            )
        log(f"{args.turns} turns with grammar mistakes (grammar on):")
        results["grammar_on"] = await player_session(
            server.url("bench_grammar"),
            [mistakes[i % len(mistakes)] for i in range(args.turns)],
            wait_for_grammar=10.0,
            label="grammar on",
        )
        log(f"{args.learners} learners at once, a turn every ~10 s each:")
        per_learner = max(1, args.turns // args.learners)
        sessions = [
            player_session(
                server.url(f"bench_crowd_{n}"),
                in_turn(speech[5 if 5 in speech else durations[0]], per_learner, n),
                every_seconds=10.0,
                label=f"learner {n + 1}",
            )
            for n in range(args.learners)
        ]
        results["concurrent"] = [turn for session in await asyncio.gather(*sessions) for turn in session]
        return results

    async def grammar_off(server: Server) -> list[dict]:
        log(f"{args.turns} turns with grammar mistakes (grammar off):")
        return await player_session(
            server.url("bench_grammar_off"),
            [mistakes[i % len(mistakes)] for i in range(args.turns)],
            label="grammar off",
        )

    main_results = run_server("grammar-on", {}, sequential)
    off_results = run_server("grammar-off", {"VIRTULINGO_GRAMMAR": "none"}, grammar_off)
    log("Engine floor, in this process (no server running):")
    floor = engine_floor(speech[5] if 5 in speech else speech[durations[0]], runs=max(5, args.turns // 2))

    report["turns"] = {str(d): stage_summary(main_results[d]) for d in durations}
    report["server_metrics_first_audio_ms"] = {
        str(d): summary([r["server"]["first_audio_ms"] for r in main_results[d] if "first_audio_ms" in r["server"]])
        for d in durations
    }
    report["floor"] = floor
    report["hands_free"] = {
        str(ms): {
            key: summary([r[key] for r in main_results[f"hands_free_{ms}"] if key in r])
            for key in ("first_audio", "server_speech_end_to_first_audio")
        }
        for ms in (700, 1200)
    }
    report["grammar_on"] = stage_summary(main_results["grammar_on"])
    report["grammar_off"] = stage_summary(off_results)
    report["concurrent"] = stage_summary(main_results["concurrent"])
    headline = report["turns"].get("5", report["turns"][str(durations[0])])["first_audio"]["p50"]
    report["overhead_over_floor"] = headline / floor["floor"] - 1

    print(render(report, args))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


def render(report: dict, args) -> str:
    def ms(value: float) -> str:
        return f"{value * 1000:.0f}"

    lines = [
        f"Run {report['date']} on {report['machine']}; {args.turns} turns per row; utterance lengths "
        + ", ".join(f"{d} s -> {s} s" for d, s in report["audio_seconds"].items()),
        "",
        "| utterance | transcription p50 / p95 (ms) | first audio p50 / p95 (ms) | turn_complete p50 / p95 (ms) |",
        "|---|---|---|---|",
    ]
    for duration, stages in report["turns"].items():
        cells = [
            f"{ms(stages[s]['p50'])} / {ms(stages[s]['p95'])}"
            for s in ("transcription", "first_audio", "turn_complete")
        ]
        lines.append(f"| {report['audio_seconds'][int(duration)]} s | " + " | ".join(cells) + " |")
    floor = report["floor"]
    lines += [
        "",
        f"Engine floor (5 s utterance, medians): STT {ms(floor['stt'])} + LLM first sentence "
        f"{ms(floor['llm_first_sentence'])} + TTS first sentence {ms(floor['tts_first_sentence'])} = "
        f"{ms(floor['floor'])} ms; first audio p50 over the floor: {report['overhead_over_floor'] * 100:+.0f} %.",
        "",
        "| grammar | first audio p50 / p95 (ms) | end_utterance -> grammar_correction p50 / p95 (ms) "
        "| turn_complete -> grammar_correction p50 / p95 (ms; negative: before it) |",
        "|---|---|---|---|",
    ]
    for label in ("grammar_on", "grammar_off"):
        stages = report[label]
        cells = [
            f"{ms(stages[key]['p50'])} / {ms(stages[key]['p95'])} (n={stages[key]['n']})" if key in stages else "-"
            for key in ("first_audio", "grammar_at", "complete_to_grammar")
        ]
        lines.append(f"| {label.split('_')[1]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| hands-free, end-of-turn silence | speech end -> first audio p50 / p95 (ms, client) "
        "| speech_end_to_first_audio_ms p50 / p95 (server) |",
        "|---|---|---|",
    ]
    for silence, stages in report["hands_free"].items():
        client, server = stages["first_audio"], stages["server_speech_end_to_first_audio"]
        lines.append(
            f"| {silence} ms | {ms(client['p50'])} / {ms(client['p95'])} | {ms(server['p50'])} / {ms(server['p95'])} |"
        )
    crowd = report["concurrent"]["first_audio"]
    lines += [
        "",
        f"{args.learners} learners at once: first audio p50 {ms(crowd['p50'])} ms, p95 {ms(crowd['p95'])} ms "
        f"(n={crowd['n']}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
