"""Many learners at once, like the Unity client, and a count that nothing was lost (run by hand).

    DATABASE_URL=postgres://.../load_bench REDIS_URL=redis://127.0.0.1:6379/13 \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
    .venv/bin/python bench/load.py --clients 4 --duration 120 [--url http://host:8000] [--json out.json]

N simulated clients (``--clients``, at most 64), each on its own socket as its own player (with a
token: the server runs with DEBUG off), speak real utterances synthesized by the product's Piper
voice (cached on disk under bench/results/speech-cache): 8192-byte PCM16 frames paced in real
time, then `end_utterance`, wait for `turn_complete`, a natural pause (``--pause``), the next
one. A third of the utterances hold grammar mistakes the English checker finds. New turns start
until ``--duration`` seconds have passed; turns in flight finish. Then the sockets stay open
while the database is polled until every grammar check of these turns is settled (at most
``--settle`` seconds), so every correction can still be delivered.

Without ``--url`` the script starts the production-like stack itself on the database and Redis
named by DATABASE_URL, REDIS_URL and CELERY_BROKER_URL (PostgreSQL and Redis required): migrate
and seed_demo, ``--servers`` Daphne processes (DEBUG off, engines warmed up) and one Celery
worker; clients are spread over the servers. With ``--url`` the same variables must name the
running server's database (players are created and turns counted there).

Reported: first audio p50/p95 (client side, from `end_utterance`), turns completed, errors by
code, and the loss count from the database: turns stored per conversation against turns sent,
a grammar check for every stored turn with words (done, pending or failed), corrections received
against checks with mistakes stored. Progress goes to stderr, the summary (Markdown) to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import (  # noqa: E402
    END_UTTERANCE,
    FRAME_BYTES,
    FRAME_SECONDS,
    MISTAKES,
    NPC_ID,
    UTTERANCES,
    Server,
    free_port,
    log,
    percentile,
    synthesize,
)

MAX_CLIENTS = 64
MAX_DURATION_SECONDS = 1800
# A turn without turn_complete after this is counted as lost by the server, and that client stops.
TURN_TIMEOUT_SECONDS = 180
SPEECH_CACHE = ROOT / "bench" / "results" / "speech-cache"
# A third with mistakes (Harper finds them in these), the rest ordinary orders and questions.
SCRIPT = [
    MISTAKES[0],
    UTTERANCES[2][0],
    UTTERANCES[5][0],
    MISTAKES[1],
    UTTERANCES[2][1],
    UTTERANCES[5][1],
    MISTAKES[2],
    UTTERANCES[2][2],
    UTTERANCES[5][2],
    MISTAKES[3],
    UTTERANCES[2][3],
    UTTERANCES[5][3],
]


def speech_cached(texts: list[str]) -> dict[str, bytes]:
    """16 kHz PCM16 of each text spoken by Piper (synthesize() of bench/latency.py), kept on disk:
    Piper's output varies a little between runs, and loading it costs every run seconds."""
    SPEECH_CACHE.mkdir(parents=True, exist_ok=True)
    paths = {text: SPEECH_CACHE / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.pcm" for text in texts}
    missing = [text for text, path in paths.items() if not path.exists()]
    if missing:
        log(f"Synthesizing {len(missing)} utterance(s) with Piper (cached in {SPEECH_CACHE}) ...")
        for text, pcm in zip(missing, synthesize(missing), strict=True):
            paths[text].write_bytes(pcm)
    return {text: path.read_bytes() for text, path in paths.items()}


# --- one client --------------------------------------------------------------------------------


@dataclass
class TurnResult:
    turn_id: str = ""
    first_audio: float | None = None
    complete: float | None = None
    metrics: dict = field(default_factory=dict)  # the server's own timings (turn_complete.metrics)
    errors: list[str] = field(default_factory=list)


@dataclass
class Client:
    """One simulated Unity client: a socket, a player, what it sent and what came back."""

    index: int
    player_id: str
    url: str
    sent: int = 0  # end_utterance messages sent
    turns: list[TurnResult] = field(default_factory=list)
    corrections: dict[str, dict] = field(default_factory=dict)  # turn_id -> grammar_correction
    duplicate_corrections: int = 0
    errors: Counter = field(default_factory=Counter)  # error code -> count (in and out of turns)
    failure: str = ""  # why the client stopped early (connection lost, turn timeout)
    talking = False  # between its first utterance and the end of its last turn
    _current: TurnResult | None = None
    _sent_at: float = 0.0
    _done: asyncio.Event = field(default_factory=asyncio.Event)

    def _receive(self, frame: str | bytes) -> None:
        now = time.monotonic()
        turn = self._current
        if isinstance(frame, bytes):
            if turn is not None and turn.first_audio is None:
                turn.first_audio = now - self._sent_at
            return
        event = json.loads(frame)
        kind = event.get("type")
        if kind == "grammar_correction":
            turn_id = event["data"].get("turn_id") or ""
            if turn_id in self.corrections:
                self.duplicate_corrections += 1
            self.corrections[turn_id] = event
        elif kind == "error":
            self.errors[event.get("code", "?")] += 1
            if turn is not None:
                turn.errors.append(event.get("code", "?"))
        elif turn is not None and kind == "transcription":
            turn.turn_id = event["turn_id"]
        elif turn is not None and kind == "turn_complete":
            turn.complete = now - self._sent_at
            turn.turn_id = turn.turn_id or event["turn_id"]
            turn.metrics = event.get("metrics") or {}
            self._done.set()

    async def _read(self, ws) -> None:
        async for frame in ws:
            self._receive(frame)

    async def run(
        self,
        speech: list[bytes],
        *,
        stop_at: float,
        pause: tuple[float, float],
        settled: asyncio.Event,
        rng: random.Random,
    ) -> None:
        import websockets

        try:
            async with websockets.connect(self.url, origin=None, max_size=None) as ws:
                reader = asyncio.create_task(self._read(ws))
                try:
                    self.talking = True
                    try:
                        await self._talk(ws, speech, stop_at=stop_at, pause=pause, rng=rng, reader=reader)
                    finally:
                        self.talking = False
                    # Open until every check is settled: a correction only reaches an open socket.
                    await asyncio.wait({reader, asyncio.create_task(settled.wait())}, return_when="FIRST_COMPLETED")
                    await asyncio.sleep(1.0)
                finally:
                    reader.cancel()
        except Exception as exc:  # the count goes on: what this client sent is still checked
            self.failure = self.failure or f"{type(exc).__name__}: {exc}"
        finally:
            self.talking = False

    async def _talk(self, ws, speech, *, stop_at, pause, rng, reader) -> None:
        # Learners do not all start at once.
        await asyncio.sleep(rng.uniform(0, pause[1]))
        position = self.index * 5
        while time.monotonic() < stop_at:
            if reader.done():
                self.failure = f"connection lost: {reader.exception() or 'closed by the server'}"
                return
            pcm = speech[position % len(speech)]
            position += 1
            # Whole frames only: the Unity client drops the last partial chunk.
            frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)]
            started = time.monotonic()
            for number, frame in enumerate(frames):
                # Real time: frame k leaves once its 256 ms have been captured.
                await asyncio.sleep(max(0.0, started + (number + 1) * FRAME_SECONDS - time.monotonic()))
                await ws.send(frame)
            self._current, self._done = TurnResult(), asyncio.Event()
            self._sent_at = time.monotonic()
            await ws.send(END_UTTERANCE)
            self.sent += 1
            self.turns.append(self._current)
            try:
                await asyncio.wait_for(self._done.wait(), TURN_TIMEOUT_SECONDS)
            except TimeoutError:
                self.failure = f"no turn_complete within {TURN_TIMEOUT_SECONDS} s"
                return
            finally:
                self._current = None
            await asyncio.sleep(rng.uniform(*pause))


# --- the count in the database ----------------------------------------------------------------


def players_create(player_ids: list[str]) -> dict[str, str]:
    """The players of this run, each with a token (the server has DEBUG off)."""
    from players.models import Player
    from players.services import player_token_issue

    return {
        player_id: player_token_issue(player=Player.objects.create(player_id=player_id, display_name=player_id))
        for player_id in player_ids
    }


def stored_counts(player_ids: list[str]) -> dict:
    """What the database holds for this run's players: turns per player, checks by status,
    and the checks with active mistakes (each owes its player one correction)."""
    from django.db.models import Count

    from conversations.models import Conversation, Turn
    from grammar.models import GrammarCheck, Mistake

    turns = Turn.objects.filter(conversation__player__player_id__in=player_ids)
    checks = GrammarCheck.objects.filter(turn__in=turns)
    with_mistakes = checks.filter(status=GrammarCheck.Status.DONE, mistakes__status=Mistake.Status.ACTIVE).distinct()
    return {
        "conversations": Conversation.objects.filter(player__player_id__in=player_ids).count(),
        "turns_per_player": dict(
            turns.values_list("conversation__player__player_id")
            .annotate(n=Count("pk"))
            .values_list("conversation__player__player_id", "n")
        ),
        "turns_with_words": turns.exclude(transcript="").count(),
        "turns_failed": dict(
            turns.exclude(status=Turn.Status.COMPLETED).values_list("error_code").annotate(n=Count("pk"))
        ),
        "checks": dict(checks.values_list("status").annotate(n=Count("pk"))),
        "checks_with_mistakes": {str(uuid) for uuid in with_mistakes.values_list("turn__uuid", flat=True)},
        "checks_with_mistakes_unpushed": with_mistakes.filter(pushed_at__isnull=True).count(),
        "mistakes": Mistake.objects.filter(grammar_check__in=checks, status=Mistake.Status.ACTIVE).count(),
    }


def settled(counts: dict) -> bool:
    checks = counts["checks"]
    return (
        sum(checks.values()) >= counts["turns_with_words"]
        and not checks.get("pending")
        and not counts["checks_with_mistakes_unpushed"]
    )


# --- the run -----------------------------------------------------------------------------------


def stack_start(*, servers: int, llm_model: str, folder: Path) -> tuple[list[Server], object]:
    """migrate + seed_demo, the Daphne processes (DEBUG off, engines warm) and one Celery worker,
    all on this environment's DATABASE_URL, REDIS_URL and CELERY_BROKER_URL."""
    from grammar.tests.celery_worker import celery_worker_start

    extra = {
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", os.environ["REDIS_URL"]),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "PYTHONUNBUFFERED": "1",
    }
    if llm_model:
        extra["VIRTULINGO_LLM_MODEL"] = llm_model
    started = [
        Server(
            database=os.environ["DATABASE_URL"], port=free_port(), extra_env=extra, log_path=folder / f"daphne-{n}.log"
        )
        for n in range(servers)
    ]
    started[0].manage("migrate", "--noinput")
    started[0].manage("seed_demo")
    log(f"Starting the Celery worker (log {folder / 'celery.log'}) ...")
    worker = celery_worker_start(name=f"bench-load-{os.getpid()}", log=folder / "celery.log")
    try:
        for number, server in enumerate(started, 1):
            log(
                f"Starting Daphne {number}/{servers} on port {server.port}, waiting for its engines "
                f"(log {server.log_path}) ..."
            )
            server.start()
    except BaseException:
        for server in started:
            server.stop()
        worker.stop()
        raise
    return started, worker


async def load_run(clients: list[Client], speech: list[bytes], args) -> dict:
    from asgiref.sync import sync_to_async

    player_ids = [client.player_id for client in clients]
    counts_now = sync_to_async(stored_counts)
    begun = time.monotonic()
    stop_at = begun + args.duration
    checks_settled = asyncio.Event()
    rng = random.Random(args.seed)
    tasks = [
        asyncio.create_task(
            client.run(
                speech,
                stop_at=stop_at,
                pause=args.pause,
                settled=checks_settled,
                rng=random.Random(rng.random()),
            )
        )
        for client in clients
    ]

    def progress(phase: str) -> None:
        done = sum(1 for c in clients for t in c.turns if t.complete is not None)
        errors = sum(sum(c.errors.values()) for c in clients)
        corrections = sum(len(c.corrections) for c in clients)
        failed = sum(1 for c in clients if c.failure)
        log(
            f"  [{time.monotonic() - begun:5.0f} s] {phase}: {sum(c.sent for c in clients)} turns sent, "
            f"{done} complete, {errors} errors, {corrections} corrections received, {failed} clients stopped"
        )

    talking = asyncio.gather(*tasks)
    # Until every client has finished its last turn (one begun before stop_at runs to its end).
    await asyncio.sleep(1)
    while any(client.talking for client in clients):
        progress("talking")
        await asyncio.sleep(5)
    # Settling: the sockets stay open until every check is done and every correction pushed.
    settle_until = time.monotonic() + args.settle
    while True:
        counts = await counts_now(player_ids)
        if settled(counts) or time.monotonic() > settle_until:
            break
        progress(f"settling ({counts['checks'].get('pending', 0)} checks pending)")
        await asyncio.sleep(3)
    checks_settled.set()
    await talking
    counts = await counts_now(player_ids)
    progress("done")
    return counts


def report_build(clients: list[Client], counts: dict, args, *, wall: float) -> dict:
    turns = [turn for client in clients for turn in client.turns]
    first_audio = [turn.first_audio for turn in turns if turn.first_audio is not None]
    complete = [turn.complete for turn in turns if turn.complete is not None]
    sent = sum(client.sent for client in clients)
    stored = counts["turns_per_player"]
    received = {turn_id for client in clients for turn_id in client.corrections}
    owed = counts["checks_with_mistakes"]
    checks = counts["checks"]

    def spread(values: list[float]) -> dict:
        return {"p50": statistics.median(values), "p95": percentile(values, 95), "n": len(values)} if values else {}

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "clients": len(clients),
        "duration_s": args.duration,
        "wall_s": round(wall, 1),
        "turns_sent": sent,
        "turns_completed": len(complete),
        "turns_with_audio": len(first_audio),
        "first_audio_s": spread(first_audio),
        "turn_complete_s": spread(complete),
        # Seconds, like the client's figures: from the server's monotonic clock.
        "server_first_audio_s": spread(
            [t.metrics["first_audio_ms"] / 1000 for t in turns if "first_audio_ms" in t.metrics]
        ),
        # Where the time goes: the server's stages, p50 in ms, from end_utterance.
        "server_stages_p50_ms": {
            stage: statistics.median(values)
            for stage in ("stt_ms", "llm_first_token_ms", "first_sentence_ms", "first_audio_ms", "total_ms")
            if (values := [t.metrics[stage] for t in turns if stage in t.metrics])
        },
        "errors": dict(sum((client.errors for client in clients), Counter())),
        "clients_stopped": {client.player_id: client.failure for client in clients if client.failure},
        "turns_failed_stored": counts["turns_failed"],
        "loss": {
            "conversations_stored": counts["conversations"],
            "turns_stored": sum(stored.values()),
            "players_with_turns_missing": {
                c.player_id: f"{stored.get(c.player_id, 0)} stored of {c.sent} sent"
                for c in clients
                if stored.get(c.player_id, 0) != c.sent
            },
            "turns_with_words": counts["turns_with_words"],
            "checks": checks,
            "checks_missing": max(0, counts["turns_with_words"] - sum(checks.values())),
            "checks_with_mistakes": len(owed),
            "mistakes_stored": counts["mistakes"],
            "corrections_received": len(received),
            "corrections_not_received": len(owed - received),
            "corrections_without_stored_mistakes": len(received - owed),
            "duplicate_corrections": sum(client.duplicate_corrections for client in clients),
        },
    }


def render(report: dict) -> str:
    def s(spread: dict, key: str) -> str:
        return f"{spread[key] * 1000:.0f}" if spread else "-"

    loss = report["loss"]
    errors = ", ".join(f"{code} {n}" for code, n in sorted(report["errors"].items())) or "none"
    return "\n".join(
        [
            f"Run {report['date']}: {report['clients']} clients, {report['duration_s']} s of talking "
            f"({report['wall_s']} s with start and settling), {report['machine']}.",
            "",
            "| clients | turns sent | completed | first audio p50 / p95 (ms) | server's first_audio_ms p50 / p95 "
            "| turn_complete p50 / p95 (ms) | errors by code |",
            "|---|---|---|---|---|---|---|",
            f"| {report['clients']} | {report['turns_sent']} | {report['turns_completed']} "
            f"| {s(report['first_audio_s'], 'p50')} / {s(report['first_audio_s'], 'p95')} "
            f"(n={report['turns_with_audio']}) "
            f"| {s(report['server_first_audio_s'], 'p50')} / {s(report['server_first_audio_s'], 'p95')} "
            f"| {s(report['turn_complete_s'], 'p50')} / {s(report['turn_complete_s'], 'p95')} | {errors} |",
            "",
            "Server stages, p50 from end_utterance (ms): "
            + ", ".join(f"{stage} {value:.0f}" for stage, value in report["server_stages_p50_ms"].items()),
            "",
            f"Database: {loss['conversations_stored']} conversations, {loss['turns_stored']} turns stored of "
            f"{report['turns_sent']} sent (players short: {len(loss['players_with_turns_missing'])}); "
            f"{loss['turns_with_words']} with words, checks {loss['checks']} (missing {loss['checks_missing']}); "
            f"{loss['checks_with_mistakes']} checks with {loss['mistakes_stored']} mistakes stored, "
            f"{loss['corrections_received']} corrections received ({loss['corrections_not_received']} not "
            f"received, {loss['corrections_without_stored_mistakes']} without stored mistakes, "
            f"{loss['duplicate_corrections']} duplicates). Clients stopped early: "
            f"{len(report['clients_stopped'])}. Stored turns not completed: {report['turns_failed_stored'] or 'none'}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, help=f"simulated clients (1-{MAX_CLIENTS})")
    parser.add_argument("--duration", type=float, default=120, help="seconds during which new turns start")
    parser.add_argument("--url", default="", help="a running server (http://host:port); default: start one")
    parser.add_argument("--servers", type=int, default=1, help="Daphne processes to start (clients spread over them)")
    parser.add_argument("--llm-model", default="", help="VIRTULINGO_LLM_MODEL of the started servers")
    parser.add_argument("--pause", default="2,6", help="seconds between a turn_complete and the next utterance")
    parser.add_argument("--settle", type=float, default=90, help="seconds to wait for the grammar checks at the end")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.duration <= MAX_DURATION_SECONDS:
        parser.error(f"--clients must be 1-{MAX_CLIENTS} and --duration 1-{MAX_DURATION_SECONDS}")
    args.pause = tuple(float(v) for v in args.pause.split(","))
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        parser.error("DATABASE_URL (PostgreSQL) and REDIS_URL must name the server's database and Redis")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")

    import django

    django.setup()
    from engines.native_trial import cpu_model

    speech_by_text = speech_cached(SCRIPT)
    speech = [speech_by_text[text] for text in SCRIPT]
    folder = Path(tempfile.mkdtemp(prefix="virtulingo-load-"))
    servers: list[Server] = []
    worker = None
    if args.url:
        urls = [args.url]
    else:
        servers, worker = stack_start(servers=args.servers, llm_model=args.llm_model, folder=folder)
        urls = [f"http://127.0.0.1:{server.port}" for server in servers]
    try:
        run = datetime.now(UTC).strftime("%H%M%S")
        player_ids = [f"load-{run}-{n:02d}" for n in range(args.clients)]
        tokens = players_create(player_ids)
        clients = []
        for n, player_id in enumerate(player_ids):
            base = urlsplit(urls[n % len(urls)])
            scheme = "wss" if base.scheme == "https" else "ws"
            clients.append(
                Client(
                    index=n,
                    player_id=player_id,
                    url=f"{scheme}://{base.netloc}/api/conversations/ws/{player_id}/{NPC_ID}?token={tokens[player_id]}",
                )
            )
        log(f"{args.clients} clients talking for {args.duration:.0f} s against {', '.join(urls)} ...")
        begun = time.monotonic()
        counts = asyncio.run(load_run(clients, speech, args))
        report = report_build(clients, counts, args, wall=time.monotonic() - begun)
    finally:
        for server in servers:
            server.stop()
        if worker is not None:
            worker.stop()
    report["machine"] = f"{cpu_model()}, {os.cpu_count()} cores"
    report["servers"] = urls
    print(render(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
