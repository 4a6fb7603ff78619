"""Writes for players: tokens, connection-time resolution, relationships."""

import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from players.models import Player


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
