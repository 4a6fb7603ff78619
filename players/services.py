"""Writes for players: tokens, connection-time resolution, relationships."""

import hashlib
import re
import secrets
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from npcs.models import NPC
from players.models import Player, Relationship
from players.politeness import INSULTS, POLITENESS_MARKERS


class PlayerAuthenticationError(Exception):
    """The player could not be authenticated; `code` is PROTOCOL.md's error code."""

    code = "unauthorized"


def player_token_hash(*, token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def player_token_issue(*, player: Player) -> str:
    """Give the player a new API token, replacing any old one, and return it.

    Only its hash is stored, so this is the one time the token can be shown.
    """
    token = secrets.token_urlsafe(32)
    player.token_hash = player_token_hash(token=token)
    player.token_created_at = timezone.now()
    player.save(update_fields=["token_hash", "token_created_at", "updated_at"])
    return token


def player_authenticate(*, player_id: str, token: str | None) -> Player:
    """The player a game client connects as (WebSocket or REST).

    With a token, it must belong to `player_id`. Without one, only a deployment that
    allows anonymous players (development mode by default) lets the client in, as any
    player, and an unknown `player_id` is created on first use: the unmodified Unity
    client sends no token.
    """
    if token:
        player = Player.objects.filter(token_hash=player_token_hash(token=token)).first()
        if player is None or player.player_id != player_id:
            raise PlayerAuthenticationError("The token is not valid for this player.")
        return player
    if not settings.VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS:
        raise PlayerAuthenticationError("A player token is required (?token=... or Authorization: Bearer ...).")
    player = Player.objects.filter(player_id=player_id).first()
    return player if player is not None else _player_create_anonymous(player_id=player_id)


def _player_create_anonymous(*, player_id: str) -> Player:
    try:
        with transaction.atomic():
            return Player.objects.create(player_id=player_id, display_name=player_id)
    except IntegrityError:
        # Two sockets of a new player raced to create it: the other one won.
        return Player.objects.get(player_id=player_id)


# How a turn moves the NPC's feelings (see relationship_apply_turn).
RELATIONSHIP_PARTICIPATION = 0.01
RELATIONSHIP_POLITENESS = 0.03
RELATIONSHIP_INSULT = -0.1


def _normalized_words(text: str) -> str:
    """Lowercase, no accents, straight apostrophes, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("\u2019", "'"))
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"[\w'-]+", without_accents))


def _mentions_any(*, words: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {words} "
    return any(f" {phrase} " in padded for phrase in phrases)


def relationship_turn_delta(*, utterance: str, language: str) -> float:
    """+0.01 for taking part, +0.03 more for politeness, -0.1 for an insult, in the NPC's language."""
    words = _normalized_words(utterance)
    delta = RELATIONSHIP_PARTICIPATION
    if _mentions_any(words=words, phrases=POLITENESS_MARKERS.get(language, ())):
        delta += RELATIONSHIP_POLITENESS
    if _mentions_any(words=words, phrases=INSULTS.get(language, ())):
        delta += RELATIONSHIP_INSULT
    return delta


def relationship_apply_turn(*, player: Player, npc: NPC, utterance: str) -> Relationship:
    """Move the NPC's relationship with the player after a completed turn, clamped to [-1, 1]."""
    delta = relationship_turn_delta(utterance=utterance, language=npc.language)
    with transaction.atomic():
        relationship, _ = Relationship.objects.select_for_update().get_or_create(player=player, npc=npc)
        relationship.score = max(-1.0, min(1.0, relationship.score + delta))
        relationship.save(update_fields=["score", "updated_at"])
    return relationship
