"""The conversation evaluation: scripted learner dialogues against the real server (run by hand).

    .venv/bin/python bench/conversations.py [--models qwen2.5-1.5b,smollm2-135m,qwen2.5-0.5b]
        [--languages en,fr,es,de] [--dialogues 10] [--turns 3] [--kinds prices,ordering] [--json out.json]
    .venv/bin/python bench/conversations.py --rescore out.json [more.json ...]  # the checks again

For each model (``VIRTULINGO_LLM_MODEL``) it starts the server as a user would (Daphne,
embedded engines, its own SQLite database with the demo content, grammar off so the
model has the CPU), and plays the scripts of ``bench/conversation_scripts/<language>.json``
(ten multi-turn dialogues per demo language: ordering, prices, small talk, a learner
mistake, an off-topic question, an attempt to make the NPC leave its role) through the
REST text turn ``POST /api/conversations/{player}/{npc}/conversation``, one anonymous
player per dialogue so each has its own history. Every reply gets the automatic checks
of ``conversations/evaluation.py``; the turn's own metrics give first token and first
audio. Progress goes to stderr; the summary (Markdown) to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after ROOT: the conversations package is not this file

from latency import Server, free_port  # noqa: E402

from conversations.evaluation import CHECKS, DEMO_LANGUAGES, check_reply, load_dialogues  # noqa: E402
from virtulingo.demo_content import NPCS  # noqa: E402

NPC_BY_ID = {npc["npc_id"]: npc for npc in NPCS}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def post_turn(port: int, *, player: str, npc_id: str, text: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/conversations/{player}/{npc_id}/conversation",
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.load(response)


def rescore(results: list[dict]) -> list[dict]:
    """The checks again on stored replies (after a change to the checks, without the models)."""
    histories: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for result in results:
        npc = NPC_BY_ID[load_npc_id(result["language"])]
        key = (result["model"], result["language"], result["dialogue"])
        earlier = histories.get(key, ())
        verdict = check_reply(
            result["reply"],
            learner=result["learner"],
            language=result["language"],
            cefr_level=npc["cefr_level"],
            price_list=npc.get("price_list"),
            earlier_replies=earlier,
        )
        histories[key] = (*earlier, result["reply"])
        result.update(
            checks=verdict.checks, detected_language=verdict.detected_language, price_answered=verdict.price_answered
        )
    return results


def load_npc_id(language: str) -> str:
    return load_dialogues((language,))[0].npc_id


def run_model(model: str, *, dialogues, turns: int, folder: Path) -> list[dict]:
    database = folder / f"{model}.sqlite3"
    server = Server(
        database=database,
        port=free_port(),
        extra_env={
            "VIRTULINGO_LLM": "local",
            "VIRTULINGO_LLM_MODEL": model,
            "VIRTULINGO_GRAMMAR": "none",
            "VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS": "true",
        },
        log_path=folder / f"{model}.log",
    )
    server.manage("migrate", "--noinput")
    server.manage("seed_demo")
    log(f"[{model}] starting the server and waiting for its engines ...")
    results: list[dict] = []
    try:
        server.start()
        total = sum(min(turns, len(d.turns)) for d in dialogues)
        done = 0
        for number, dialogue in enumerate(dialogues):
            npc = NPC_BY_ID[dialogue.npc_id]
            player = f"eval_{model.replace('.', '_')}_{dialogue.language}_{number}"
            earlier: tuple[str, ...] = ()
            for index, text in enumerate(dialogue.turns[:turns]):
                started = time.monotonic()
                body = post_turn(server.port, player=player, npc_id=dialogue.npc_id, text=text)
                reply = body.get("reply", "")
                verdict = check_reply(
                    reply,
                    learner=text,
                    language=dialogue.language,
                    cefr_level=npc["cefr_level"],
                    price_list=npc.get("price_list"),
                    earlier_replies=earlier,
                )
                earlier += (reply,)
                metrics = body.get("metrics") or {}
                done += 1
                failed = ", ".join(verdict.failures()) or "ok"
                log(
                    f"[{model}] {done}/{total} {dialogue.language} {dialogue.dialogue_id}#{index + 1} "
                    f"({time.monotonic() - started:.1f} s, {failed}): {reply[:100]!r}"
                )
                results.append(
                    {
                        "model": model,
                        "language": dialogue.language,
                        "dialogue": dialogue.dialogue_id,
                        "kind": dialogue.kind,
                        "turn": index,
                        "learner": text,
                        "reply": reply,
                        "error": body.get("error"),
                        "detected_language": verdict.detected_language,
                        "checks": verdict.checks,
                        "price_answered": verdict.price_answered,
                        "first_token_ms": metrics.get("llm_first_token_ms"),
                        "first_audio_ms": metrics.get("first_audio_ms"),
                        "total_ms": metrics.get("total_ms"),
                    }
                )
    finally:
        server.stop()
    return results


def summarize(results: list[dict], models: list[str], languages: list[str]) -> list[dict]:
    rows = []
    for model in models:
        for language in languages:
            mine = [r for r in results if r["model"] == model and r["language"] == language]
            if not mine:
                continue
            row: dict = {"model": model, "lang": language, "replies": len(mine)}
            for check in CHECKS:
                row[check] = sum(r["checks"][check] for r in mine) / len(mine)
            row["all"] = sum(all(r["checks"].values()) for r in mine) / len(mine)
            asked = [r["price_answered"] for r in mine if r.get("price_answered") is not None]
            row["price_answered"] = f"{sum(asked)}/{len(asked)}"
            for key in ("first_token_ms", "first_audio_ms"):
                values = [r[key] for r in mine if r[key] is not None]
                row[key] = statistics.median(values) if values else None
            rows.append(row)
    return rows


def render(rows: list[dict], *, header: str) -> str:
    def pct(value: float) -> str:
        return f"{100 * value:.0f}%"

    def ms(value) -> str:
        return "-" if value is None else f"{value:.0f}"

    lines = [
        header,
        "",
        "| model | language | replies | language ok | in character | NPC role | length | no loop | not a copy | prices "
        "| all checks | price asked: quoted from the list | first token p50 (ms) | first audio p50 (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['model']} | {row['lang']} | {row['replies']} | "
            + " | ".join(pct(row[check]) for check in CHECKS)
            + f" | {pct(row['all'])} | {row['price_answered']}"
            + f" | {ms(row['first_token_ms'])} | {ms(row['first_audio_ms'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="qwen2.5-1.5b,smollm2-135m,qwen2.5-0.5b")
    parser.add_argument("--languages", default=",".join(DEMO_LANGUAGES))
    parser.add_argument("--dialogues", type=int, default=10, help="dialogues per language (from the first)")
    parser.add_argument("--turns", type=int, default=3, help="learner turns per dialogue (from the first)")
    parser.add_argument("--kinds", default="", help="only dialogues of these kinds, e.g. prices,ordering")
    parser.add_argument("--json", default="", help="also write every reply and its checks here")
    parser.add_argument("--rescore", nargs="*", default=[], help="check the replies stored by earlier --json runs")
    args = parser.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    dialogues = []
    kinds = {kind.strip() for kind in args.kinds.split(",") if kind.strip()}
    for language in languages:
        dialogues += [d for d in load_dialogues((language,)) if not kinds or d.kind in kinds][: args.dialogues]

    results: list[dict] = []
    if args.rescore:
        for stored in args.rescore:
            results += rescore(json.loads(Path(stored).read_text()))
        models = list(dict.fromkeys(r["model"] for r in results))
    else:
        folder = Path(tempfile.mkdtemp(prefix="virtulingo-conversations-"))
        os.environ["DJANGO_SETTINGS_MODULE"] = "virtulingo.settings"
        log(f"Logs and databases in {folder}")
        for model in models:
            results += run_model(model, dialogues=dialogues, turns=args.turns, folder=folder)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    header = (
        f"{datetime.now(UTC).date().isoformat()}, {cpu_model()}, {os.cpu_count()} cores; "
        f"`{' '.join(['bench/conversations.py', *sys.argv[1:]])}`"
    )
    print(render(summarize(results, models, languages), header=header))


if __name__ == "__main__":
    main()
