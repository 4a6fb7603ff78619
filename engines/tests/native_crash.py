"""Test doubles for the native-trial tests: engines whose native code really faults.

They live in a module (not a test file) because the trial's child process imports
them by name.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

from engines.base import BaseEngine
from engines.llm_local import LocalLLM


def segfault() -> None:
    ctypes.string_at(0)  # reads address 0 in C: a real SIGSEGV, as llama.cpp's AMX repacking gave


class LocalLLMThatCrashes(LocalLLM):
    """The real embedded model, whose warm-up then dies in native code."""

    def _warmup(self) -> None:
        segfault()


class CountingEngine(BaseEngine):
    """Loads by appending a line to ``log``, so a test can count how often it really ran."""

    name = "counting"

    def __init__(self, *, executor, log: str, crash: bool = False) -> None:  # type: ignore[no-untyped-def]
        super().__init__(executor=executor)
        self.log = Path(log)
        self.crash = crash

    def _load(self) -> None:
        with self.log.open("a") as out:
            out.write("loaded\n")
        if self.crash:
            segfault()
