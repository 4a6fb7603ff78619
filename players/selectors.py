"""Reads for players."""

from npcs.models import NPC
from players.models import Player, Relationship

# Upper bounds of each description, from hostile to close friend.
_RELATIONSHIP_LEVELS = [(-0.5, "hostile"), (-0.1, "wary"), (0.1, "stranger"), (0.3, "acquaintance"), (0.6, "friend")]


def relationship_describe(*, score: float) -> str:
    """A plain word for the prompt: a small model follows "friend" better than "0.42"."""
    for upper_bound, description in _RELATIONSHIP_LEVELS:
        if score < upper_bound:
            return description
    return "close friend"


def relationship_score(*, player: Player, npc: NPC) -> float:
    relationship = Relationship.objects.filter(player=player, npc=npc).only("score").first()
    return relationship.score if relationship else 0.0
