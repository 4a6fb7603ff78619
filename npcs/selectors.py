"""Reads for NPCs."""

from collections.abc import Sequence

from django.db.models import prefetch_related_objects

from npcs.models import NPC


def npc_get_active(*, npc_id: str) -> NPC | None:
    """The NPC a client asked for, with its home scene and the scene's translations (the
    prompt needs them, and is built where the database cannot be queried)."""
    return (
        NPC.objects.select_related("scene")
        .prefetch_related("scene__translations")
        .filter(npc_id=npc_id, is_active=True)
        .first()
    )


def npc_scene_translations_load(*, npc: NPC) -> None:
    """Load the translations of ``npc``'s scene onto it unless they already are (an NPC
    read by ``npc_get_active`` has them), so its prompt can be built off the database."""
    if npc.scene is not None:
        prefetch_related_objects([npc.scene], "translations")


def npc_names(*, npc_ids: Sequence[str]) -> list[str]:
    """Display names of the given NPCs, in the given order; unknown ids are left out."""
    names = dict(NPC.objects.filter(npc_id__in=npc_ids).values_list("npc_id", "name"))
    return [names[npc_id] for npc_id in npc_ids if npc_id in names]
