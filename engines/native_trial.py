"""Run a native engine once in a child process before it runs in this one.

A native library that faults on this CPU (llama.cpp's AMX weight repacking on some
Intel CPUs, a build carrying another CPU's instructions) kills the whole process: the
server dies in its warm-up and nobody is told which engine did it. The trial loads
the engine and runs its warm-up in a child; a crash there becomes that engine's
``failed`` state with the signal and what to do, and the server runs on without it.
A passed trial is remembered per machine (CPU, library files, engine settings), so
later starts skip it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import EngineError

logger = logging.getLogger("engines")

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def cpu_identity() -> str:
    """The CPU model and its feature flags: a trial passed on one CPU says nothing of another."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return os.uname().machine
    wanted = ("model name", "flags", "Features", "CPU part")
    lines = {line.split(":", 1)[0].strip(): line for line in text.splitlines() if ":" in line}
    return "\n".join(lines[key] for key in wanted if key in lines)


def cpu_model() -> str:
    for line in cpu_identity().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return os.uname().machine


def trial_key(engine_class: type, arguments: Mapping[str, Any], files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{engine_class.__module__}.{engine_class.__qualname__}\n{sys.executable}\n".encode())
    digest.update(json.dumps(arguments, sort_keys=True, default=str).encode())
    digest.update(cpu_identity().encode())
    for path in sorted(files):
        stat = path.stat()
        digest.update(f"\n{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def run_trial(
    engine_class: type,
    arguments: Mapping[str, Any],
    *,
    files: Iterable[Path],
    cache_dir: Path,
    engine_name: str,
    advice: str,
    timeout: float = 300.0,
) -> None:
    """Load and warm ``engine_class(**arguments)`` in a child; raise EngineError if it crashed.

    ``arguments`` are the engine's constructor arguments without the executor (the child
    makes its own) and without a trial folder (the child loads in-process)."""
    key = trial_key(engine_class, arguments, files)
    verdict = Path(cache_dir) / "native-trials" / f"{key}.passed"
    if verdict.is_file():
        return
    logger.info("%s: first run on this machine, trying it in a child process first", engine_name)
    spec = {"module": engine_class.__module__, "class": engine_class.__qualname__, "arguments": dict(arguments)}
    try:
        child = subprocess.run(
            [sys.executable, "-X", "faulthandler", "-m", __name__],
            input=json.dumps(spec, default=str),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=PROJECT_ROOT,
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"{engine_name} did not finish loading in a trial process within {timeout:g} s") from None
    if child.returncode == 0:
        verdict.parent.mkdir(parents=True, exist_ok=True)
        verdict.write_text(f"{engine_name} loaded and warmed up on {cpu_model()}\n")
        return
    stderr_tail = " | ".join(child.stderr.strip().splitlines()[-3:])
    if child.returncode < 0:
        try:
            name = signal.Signals(-child.returncode).name
        except ValueError:
            name = f"signal {-child.returncode}"
        logger.error("%s crashed (%s) in its trial process: %s", engine_name, name, child.stderr.strip()[-2000:])
        raise EngineError(
            f"{engine_name} crashed ({name}) when it loaded and ran its model in a trial process on this CPU "
            f"({cpu_model()}); the server runs on without it. {advice}"
        )
    raise EngineError(f"{engine_name} failed in its trial process (exit {child.returncode}): {stderr_tail}")


def _trial_main() -> None:
    from .executor import EngineExecutor

    spec = json.load(sys.stdin)
    engine_class = getattr(importlib.import_module(spec["module"]), spec["class"])
    executor = EngineExecutor(workers=1, timeout=300)
    try:
        engine = engine_class(executor=executor, **spec["arguments"])
        engine.load()
        engine._warmup()
    finally:
        executor.shutdown()


if __name__ == "__main__":
    _trial_main()
