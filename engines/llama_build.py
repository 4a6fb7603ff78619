"""What the installed llama.cpp build asks of the CPU.

The setup builds llama.cpp without ``-march=native`` (scripts/llama_wheel.py), so the
same build runs on every x86-64 CPU with AVX2 (Intel since 2013, AMD since 2015). A
build for the host (``GGML_NATIVE``) would carry AVX-512 or AMX code that faults on
the next machine: Intel's AMX weight repacking crashed on Sapphire Rapids, and an
AVX-512 build dies with SIGILL on AMD Zen 3. These helpers read the instructions
actually present in the CPU library, for the benchmark and for the test that keeps
the build portable.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

# Register names that only exist with these extensions.
_REGISTER_PATTERNS = {
    "avx512": re.compile(r"%zmm\d|%k[1-7]\b"),
    "amx": re.compile(r"%tmm\d|\btile(loadd|stored|release|zero)|\btdpb"),
    "avx2/avx": re.compile(r"%ymm\d"),
}


def cpu_library(package_dir: Path) -> Path:
    """ggml's CPU backend inside an installed ``llama_cpp`` package."""
    candidates = sorted((package_dir / "lib").glob("libggml-cpu*.so*"))
    if not candidates:
        raise FileNotFoundError(f"no libggml-cpu library under {package_dir / 'lib'}")
    return candidates[0]


def instruction_sets(library: Path) -> dict[str, int]:
    """How many instructions of ``library`` touch AVX-512, AMX and AVX registers."""
    objdump = shutil.which("objdump")
    if objdump is None:
        raise FileNotFoundError("objdump (binutils) is needed to read the library's instructions")
    listing = subprocess.run(
        [objdump, "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True, check=True
    ).stdout
    return {name: len(pattern.findall(listing)) for name, pattern in _REGISTER_PATTERNS.items()}
