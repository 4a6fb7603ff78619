"""Memory per idle connected socket (issue 14: idle sockets must be cheap; run by hand).

    .venv/bin/python bench/idle_sockets.py [--sockets 1000] [--settle 10]

Starts the server as a user would (Daphne, embedded engines, its own SQLite database with the
demo content, in-memory channel layer), waits for its engines, then opens push-to-talk sockets
the Unity way (no Origin), one player per socket, and holds them open without a word. The
server's resident memory (VmRSS) is read before, with every socket open (after ``--settle``
seconds, so that the prompt prefills they asked for are done), and after all closed. Two
figures: the growth divided by the sockets (one-time costs included: the first prompt prefill
allocates the model's buffers), and the slope of RSS against sockets after the first hundred
(what one more idle socket costs). Progress to stderr, Markdown to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.latency import NPC_ID, Server, free_port, log  # noqa: E402
from engines.native_trial import cpu_model  # noqa: E402

OPEN_AT_ONCE = 50  # sockets opened concurrently: a crowd arriving, not a single file


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def hold_sockets(server: Server, *, count: int, settle: float) -> dict[str, float]:
    import websockets

    pid = server.process.pid
    await asyncio.sleep(settle)  # the engines' warm-up garbage settles first
    before = resident_kib(pid)
    sockets = []
    limit = asyncio.Semaphore(OPEN_AT_ONCE)

    async def open_one(index: int):
        async with limit:
            return await websockets.connect(
                f"ws://127.0.0.1:{server.port}/api/conversations/ws/idle_{index}/{NPC_ID}", origin=None
            )

    began = time.monotonic()
    readings: list[tuple[int, int]] = []  # (sockets open, RSS KiB)
    for start in range(0, count, 100):
        sockets += await asyncio.gather(*(open_one(i) for i in range(start, min(count, start + 100))))
        readings.append((len(sockets), resident_kib(pid)))
        log(f"  {len(sockets)}/{count} sockets open, server RSS {readings[-1][1] / 1024:.0f} MiB")
    opened_in = time.monotonic() - began
    await asyncio.sleep(settle)
    pings = await asyncio.gather(*(ws.ping() for ws in sockets))
    await asyncio.gather(*pings)  # every socket still answers
    held = resident_kib(pid)
    for ws in sockets:
        await ws.close()
    await asyncio.sleep(settle)
    after = resident_kib(pid)
    return {
        "sockets": count,
        "opened_in_s": round(opened_in, 1),
        "rss_before_mib": round(before / 1024, 1),
        "rss_held_mib": round(held / 1024, 1),
        "rss_after_close_mib": round(after / 1024, 1),
        "kib_per_socket": round((held - before) / count, 1),
        "kib_per_more_socket": round(float(np.polyfit(*zip(*readings[1:], strict=True), 1)[0]), 1)
        if len(readings) > 2
        else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait before each reading")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="virtulingo-bench-"))
    server = Server(
        database=folder / "db.sqlite3",
        port=free_port(),
        extra_env={"DJANGO_DEBUG": "true"},
        log_path=folder / "server.log",
    )
    server.manage("migrate", "--noinput")
    server.manage("seed_demo")
    log("Starting the server and waiting for its engines ...")
    server.start()
    try:
        result = asyncio.run(hold_sockets(server, count=args.sockets, settle=args.settle))
    finally:
        server.stop()

    print(f"## Idle sockets ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cpu_model()}, {os.cpu_count()} cores)\n")
    print(f"Command: `.venv/bin/python bench/idle_sockets.py --sockets {args.sockets} --settle {args.settle:g}`\n")
    print("| sockets | opened in | RSS before | all open | all closed | per socket, all in | one more socket |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {result['sockets']} | {result['opened_in_s']} s | {result['rss_before_mib']} MiB | "
        f"{result['rss_held_mib']} MiB | {result['rss_after_close_mib']} MiB | {result['kib_per_socket']} KiB | "
        f"{result['kib_per_more_socket']} KiB |"
    )


if __name__ == "__main__":
    main()
