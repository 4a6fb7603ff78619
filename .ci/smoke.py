"""CI smoke run against a server started with no configuration (as `make run` starts it):
every engine becomes ready on this machine's CPU, and a typed turn to every demo NPC gets
a reply with audio. Usage: .venv/bin/python .ci/smoke.py http://127.0.0.1:PORT"""

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from virtulingo.demo_content import LEARNER_GREETINGS, NPCS, PLAYERS  # noqa: E402

UNSETTLED = {"not_loaded", "loading"}


def get_json(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:  # /health answers 503 with its report when degraded
        text = error.read().decode(errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            raise SystemExit(f"{url}: HTTP {error.code}: {text[:300]}") from None


def main(base: str) -> None:
    started = time.monotonic()
    while True:
        engines = get_json(f"{base}/health")["engines"]
        states = {
            f"{role}:{e['engine']}": e for role, items in engines.items() if role != "grammar_languages" for e in items
        }
        if not any(e["state"] in UNSETTLED for e in states.values()) or time.monotonic() - started > 300:
            break
        time.sleep(1)
    print(f"engines after {time.monotonic() - started:.0f} s:", {k: e["state"] for k, e in states.items()})
    broken = {k: e.get("reason", "") for k, e in states.items() if e["state"] != "ready"}
    if broken:
        raise SystemExit(f"engines not ready: {broken}")
    player = PLAYERS[0]["player_id"]
    for npc in NPCS:
        body = get_json(
            f"{base}/api/conversations/{player}/{npc['npc_id']}/conversation",
            {"text": LEARNER_GREETINGS[npc["language"]], "audio": True},
        )
        if body.get("error") or not body.get("reply") or not body.get("audio_wav_base64"):
            raise SystemExit(f"{npc['npc_id']}: no reply with audio: {json.dumps(body)[:500]}")
        print(
            f"{npc['npc_id']} ({npc['language']}): {body['reply'][:70]!r}, "
            f"{len(body['audio_wav_base64'])} audio clip(s), first audio {body['metrics']['first_audio_ms']} ms"
        )


if __name__ == "__main__":
    main(sys.argv[1])
