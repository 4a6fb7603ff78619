"""DRF authentication with a player's API token (Authorization: Bearer or ?token=)."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from players.models import Player
from players.services import PlayerAuthenticationError, player_authenticate, player_token_hash


def token_from_request_parts(*, authorization: str | None, query_token: str | None) -> str | None:
    """The token a client sent, from the Authorization header or the query string."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return query_token or None


class PlayerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a game client as a Player; `request.auth` is the Player.

    `request.user` stays the Player's linked Django user (or anonymous): players are
    not staff, and views that act for a player compare `request.auth` with the URL.
    """

    def authenticate(self, request):
        token = token_from_request_parts(
            authorization=request.headers.get("Authorization"), query_token=request.query_params.get("token")
        )
        if token is None:
            return None
        player = Player.objects.select_related("user").filter(token_hash=player_token_hash(token=token)).first()
        if player is None:
            raise exceptions.AuthenticationFailed("The player token is not valid.")
        return (player.user or AnonymousUser(), player)

    def authenticate_header(self, request) -> str:
        return "Bearer"


def player_from_request(*, request, player_id: str) -> Player:
    """The player a REST request acts for, by the same rule as the WebSocket.

    A token already checked by PlayerTokenAuthentication must belong to `player_id`;
    without one, `player_authenticate` decides (anonymous players in development).
    """
    if isinstance(request.auth, Player):
        if request.auth.player_id != player_id:
            raise exceptions.PermissionDenied("This token belongs to another player.")
        return request.auth
    try:
        return player_authenticate(player_id=player_id, token=None)
    except PlayerAuthenticationError as exc:
        raise exceptions.NotAuthenticated(str(exc)) from exc
