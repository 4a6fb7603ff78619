"""Whether an NPC's voices exist in the engines that speak them (the admin form and /health ask)."""

from engines.errors import EngineError
from engines.registry import get_registry
from npcs.models import NPC


def npc_voice_problems(*, language: str, voice: object) -> list[str]:
    """What is wrong with an NPC's voices ({"engine": "voice id"}), as the engines see it."""
    if not isinstance(voice, dict):
        return ['Voices are an object of voice ids per engine, e.g. {"espeak": "fr"}.']
    try:
        return get_registry().voice_problems(language, voice)
    except EngineError as exc:
        return [f"the voices cannot be checked: {exc}"]


def npc_voices_report(*, npcs: list[dict]) -> dict:
    """{"status": "ok" | "error", "problems": {npc_id: [...]}} for the given NPC records
    (``npc_id``, ``language``, ``voice``) and every active NPC in the database."""
    records = {npc["npc_id"]: npc for npc in npcs}
    for npc_id, language, voice in NPC.objects.filter(is_active=True).values_list("npc_id", "language", "voice"):
        records[npc_id] = {"npc_id": npc_id, "language": language, "voice": voice}
    problems = {}
    for npc_id, npc in sorted(records.items()):
        if found := npc_voice_problems(language=npc["language"], voice=npc["voice"]):
            problems[npc_id] = found
    return {"status": "error" if problems else "ok", "checked": len(records), "problems": problems}
