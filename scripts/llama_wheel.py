"""Build llama-cpp-python once per machine, for any CPU, and install it.

    .venv/bin/python scripts/llama_wheel.py            # build if needed, install into this Python
    .venv/bin/python scripts/llama_wheel.py --rebuild  # build again (e.g. after changing the flags)

llama-cpp-python ships only as source. Built the default way it takes 6-7 minutes on
2 cores, compiles for the build host's CPU (``-march=native``: the wheel crashes on
another CPU, and pip's cache carries it there) and also builds parts the bindings never
load (the multimodal library, llama.cpp's "common" helpers and an HTTP library). Here:

- ``GGML_NATIVE=OFF``: on x86-64, AVX2/FMA/F16C code that runs on any CPU since Intel
  Haswell and AMD Excavator, with no AVX-512 or AMX code;
- only the libraries the bindings load (llama, ggml-base, ggml-cpu, ggml);
- the wheel is kept in a folder of this machine (``VIRTULINGO_WHEEL_CACHE``, default
  ``~/.cache/virtulingo/wheels``) named after the version and the flags, so every clone
  and every later setup installs it in seconds.

``VIRTULINGO_LLAMA_CMAKE_ARGS`` adds CMake flags, e.g. ``-DGGML_NATIVE=ON`` for a build
tuned to (and only for) this machine, or ``-DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON``
for one that picks the best of a dozen CPU variants at run time (compiles far longer).
Standard library only: it runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import re
import shlex
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "llama-cpp-python"
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF",
    "-DLLAVA_BUILD=OFF",
    "-DLLAMA_BUILD_COMMON=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_TOOLS=OFF",
    "-DLLAMA_BUILD_SERVER=OFF",
)
# llama-cpp-python forces llama.cpp's "common" library on (only its multimodal tool uses it).
FORCED_COMMON = 'set(LLAMA_BUILD_COMMON ON CACHE BOOL "Build llama.cpp common library" FORCE)'
NINJA_STEP = re.compile(r"\[(\d+)/(\d+)\]")


def say(message: str) -> None:
    print(f"[llama.cpp] {message}", flush=True)


def pinned_version() -> str:
    """The version requirements.txt pins: the one place it is written."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(rf"{re.escape(PACKAGE)}==([\w.]+)\s*(#.*)?", line.strip())
        if match:
            return match.group(1)
    raise SystemExit(f"requirements.txt does not pin {PACKAGE}==<version>")


def cmake_args() -> list[str]:
    return [*PORTABLE_CMAKE_ARGS, *shlex.split(os.environ.get("VIRTULINGO_LLAMA_CMAKE_ARGS", ""))]


def wheel_folder(version: str, args: list[str]) -> Path:
    base = Path(os.environ.get("VIRTULINGO_WHEEL_CACHE") or Path.home() / ".cache" / "virtulingo" / "wheels")
    flags = hashlib.sha256(" ".join(args).encode()).hexdigest()[:12]
    return base.expanduser() / f"{PACKAGE}-{version}-{flags}"


def run_pip(args: list[str], **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "pip", *args], check=True, **kwargs)


def build(version: str, args: list[str], target: Path) -> Path:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="llama-build-") as tmp:
        say(f"downloading the {PACKAGE} {version} source")
        run_pip(["download", "--quiet", "--no-deps", "--no-binary", PACKAGE, "-d", tmp, f"{PACKAGE}=={version}"])
        (archive,) = Path(tmp).glob("*.tar.gz")
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        (source,) = (p for p in Path(tmp).iterdir() if p.is_dir())
        cmakelists = source / "CMakeLists.txt"
        text = cmakelists.read_text()
        if FORCED_COMMON in text:
            cmakelists.write_text(text.replace(FORCED_COMMON, "# (common library left to LLAMA_BUILD_COMMON)"))
        say(f"compiling with {' '.join(args)} ({os.cpu_count()} cores; about 3 minutes on 2)")
        env = {**os.environ, "CMAKE_ARGS": " ".join(args), "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)}
        out_dir = Path(tmp) / "wheel"
        command = [sys.executable, "-m", "pip", "wheel", "--verbose", "--no-deps", "-w", str(out_dir), str(source)]
        log_path = Path(tmp) / "build.log"
        with (
            open(log_path, "w") as log,
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc,
        ):
            assert proc.stdout is not None
            shown = -1
            for line in proc.stdout:
                log.write(line)
                step = NINJA_STEP.search(line)
                if step:
                    done, total = int(step.group(1)), int(step.group(2))
                    tenth = done * 10 // total
                    if tenth > shown:  # a line every tenth of the build, so nobody thinks it hung
                        shown = tenth
                        say(f"compiled {done}/{total} ({time.monotonic() - started:.0f} s)")
        if proc.returncode != 0:
            sys.stdout.write("".join(log_path.read_text().splitlines(keepends=True)[-60:]))
            raise SystemExit(f"building {PACKAGE} failed (exit {proc.returncode}); its last lines are above")
        (wheel,) = out_dir.glob("*.whl")
        target.mkdir(parents=True, exist_ok=True)
        final = target / wheel.name
        partial = target / f".{wheel.name}.partial"
        partial.write_bytes(wheel.read_bytes())
        os.replace(partial, final)  # a reader never sees half a wheel
    say(f"built {final.name} in {time.monotonic() - started:.0f} s, kept in {target}")
    return final


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="build again even if this machine has the wheel")
    parser.add_argument("--no-install", action="store_true", help="only make sure the wheel is built")
    options = parser.parse_args()

    version, args = pinned_version(), cmake_args()
    folder = wheel_folder(version, args)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two clones set up at once: one builds, the other waits and reuses
        wheels = sorted(folder.glob("*.whl"))
        if wheels and not options.rebuild:
            wheel = wheels[-1]
            say(f"reusing {wheel} (built earlier on this machine)")
        else:
            for old in wheels:
                old.unlink()
            wheel = build(version, args, folder)
    if not options.no_install:
        say("installing it")
        run_pip(["install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)])


if __name__ == "__main__":
    main()
