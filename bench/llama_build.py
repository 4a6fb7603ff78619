"""Speed of the llama.cpp build that is importable now (run by hand; not part of the suite).

    .venv/bin/python bench/llama_build.py [--runs 5] [--model PATH]
    PYTHONPATH=/tmp/other-wheel-unpacked .venv/bin/python bench/llama_build.py   # another build

Loads the embedded SmolLM2 (or ``--model``) with the product's settings and measures,
as medians of ``--runs``: load seconds; first token of a new ~400-token prompt (cold,
as at the start of a conversation); first token when only the last message is new
(the prompt's start cached, as on a later turn); prompt-evaluation and generation
tokens per second. It also prints which instruction sets the build's CPU library
uses (``engines.llama_build``), so builds can be compared side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engines import bundled, llama_build  # noqa: E402
from engines.native_trial import cpu_model  # noqa: E402

PERSONA = (
    "You are Tom, a cheerful baker in a small English town. You sell bread, cakes and pastries. "
    "Reply only in English, in one or two short sentences, at CEFR level A2. Stay in character. "
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", default="")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import llama_cpp

    model = Path(args.model) if args.model else bundled.smollm2_gguf()
    library = llama_build.cpu_library(Path(llama_cpp.__file__).parent)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cpu_model()}, {os.cpu_count()} cores")
    print(f"llama_cpp {llama_cpp.__version__} from {Path(llama_cpp.__file__).parent}")
    print(f"CPU library {library.name}: {llama_build.instruction_sets(library)}")

    loads, cold, cached, prompt_tps, gen_tps = [], [], [], [], []
    for run in range(args.runs):
        started = time.perf_counter()
        llm = llama_cpp.Llama(
            model_path=str(model), n_ctx=2048, n_threads=args.threads, n_threads_batch=args.threads, verbose=False
        )
        loads.append(time.perf_counter() - started)
        # A new persona each run, so the first prompt is really cold.
        history = [{"role": "system", "content": PERSONA * 8 + f"(run {run})"}]
        for question, bucket in (("Hello! What do you sell?", cold), ("How much is a croissant?", cached)):
            messages = [*history, {"role": "user", "content": question}]
            started = time.perf_counter()
            first = None
            tokens = 0
            for chunk in llm.create_chat_completion(messages=messages, temperature=0.0, max_tokens=48, stream=True):
                if chunk["choices"][0].get("delta", {}).get("content"):
                    first = first or time.perf_counter() - started
                    tokens += 1
            total = time.perf_counter() - started
            bucket.append(first or total)
            if bucket is cold:
                prompt_tokens = len(llm.tokenize(str(messages).encode()))
                prompt_tps.append(prompt_tokens / (first or total))
            if tokens > 1 and first is not None:
                gen_tps.append((tokens - 1) / (total - first))
            history = [*messages, {"role": "assistant", "content": "We have fresh bread."}]
        del llm

    def show(name: str, values: list[float], unit: str) -> None:
        print(f"  {name:<32} {statistics.median(values):8.3f} {unit}   (min {min(values):.3f}, max {max(values):.3f})")

    print(f"medians of {args.runs} runs, {args.threads} threads:")
    show("load", loads, "s")
    show("first token, cold ~400-token prompt", cold, "s")
    show("first token, prompt start cached", cached, "s")
    show("prompt evaluation", prompt_tps, "tokens/s")
    show("generation", gen_tps, "tokens/s")


if __name__ == "__main__":
    main()
