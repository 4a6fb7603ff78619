"""Writes of the pages: the author console's test player."""

from django.contrib.auth.models import AbstractBaseUser

from npcs.models import NPC
from players.models import Player
from players.services import player_token_issue


def console_player_id(*, user: AbstractBaseUser) -> str:
    # By the user's key, not name: a username may hold characters a player_id may not.
    return f"console_{user.pk}"


def console_player_prepare(*, user: AbstractBaseUser, npc: NPC) -> tuple[Player, str]:
    """The author's own test player, set to learn the NPC's language at its level, with a new token.

    The console's browser connects with that token like a game client would (PROTOCOL.md), so the
    socket needs no session support; only a staff session reaches the page that hands it out.
    Opening the console again issues a new token, which ends the old one.
    """
    player, _ = Player.objects.get_or_create(
        player_id=console_player_id(user=user), defaults={"display_name": f"{user.get_username()} (NPC console)"}
    )
    player.target_language = npc.language
    player.proficiency_level = npc.cefr_level
    player.save(update_fields=["target_language", "proficiency_level", "updated_at"])
    return player, player_token_issue(player=player)
