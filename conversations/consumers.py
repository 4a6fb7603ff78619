"""The WebSocket endpoints of PROTOCOL.md.

A consumer only translates: it authenticates the socket, turns frames into typed
messages for its VoiceSession (voice_session.py), which runs the conversation, and
sends what the session gives back.
"""

import asyncio
import json
import logging
import weakref
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError

from conversations.channel_groups import group_discard_quietly
from conversations.events import error_event, player_group_name
from conversations.messages import ProtocolError, client_message_parse
from conversations.voice_session import (
    HandsFreeVoiceSession,
    PushToTalkSession,
    VoiceActivityUnavailable,
    VoiceSession,
)
from engines.registry import get_registry
from npcs.selectors import npc_get_active
from players.authentication import token_from_request_parts
from players.models import Player
from players.services import PlayerAuthenticationError, player_authenticate

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_UNKNOWN_NPC = 4404
CLOSE_SERVER_ERROR = 1011
CLOSE_TOO_MANY_SOCKETS = 4429
CLOSE_TRY_AGAIN = 4503  # the server is stopping, or its database is down: reconnect in a moment

# The sockets each player holds on this server process, capped by SOCKETS_PER_PLAYER: one
# player (or a stolen token) cannot hold a conversation, a prefill and a group membership per
# socket without end. Counted in the process, so nothing is left over when it stops.
OPEN_SOCKETS: Counter[str] = Counter()
# The sockets with a session on this server process: asked to close when it stops.
LIVE_CONSUMERS: "weakref.WeakSet[ConversationConsumer]" = weakref.WeakSet()
_shutting_down = False


async def sockets_shut_down(*, grace_seconds: float) -> int:
    """The server is stopping: each open socket is told (`server_shutdown`), its running turns
    get the grace period to finish and its learner's words are stored, then it is closed with
    4503; a socket that opens from now on is refused so. Returns how many were closed."""
    global _shutting_down
    _shutting_down = True
    consumers = list(LIVE_CONSUMERS)
    results = await asyncio.gather(
        *(consumer.shut_down(grace_seconds=grace_seconds) for consumer in consumers), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException):
            logger.error("A socket did not shut down cleanly", exc_info=result)
    return len(consumers)


class ConversationConsumer(AsyncWebsocketConsumer):
    """Push-to-talk: the client says when the utterance ends (`end_utterance`)."""

    session_class: type[VoiceSession] = PushToTalkSession
    session: VoiceSession | None = None
    player: Player
    socket_open = False
    counted = False  # this socket is one of its player's OPEN_SOCKETS

    async def connect(self) -> None:
        # Daphne turns a close before accept into a bare 403: accept, then explain and close.
        await self.accept()
        self.socket_open = True
        if _shutting_down:
            await self._refuse_shutting_down()
            return
        try:
            await self._open()
        except (OperationalError, InterfaceError) as exc:
            # The database is down or restarting: a clear refusal the client can retry, not a 1011.
            logger.warning("A socket was refused: the database is unavailable (%s)", exc)
            await self._refuse(
                code="database_unavailable",
                message="The server's database is unavailable. Reconnect in a moment.",
                close_code=CLOSE_TRY_AGAIN,
            )

    async def _open(self) -> None:
        """Authenticate the player, find the NPC and start the session, or refuse the socket."""
        route = self.scope["url_route"]["kwargs"]
        try:
            self.player = await database_sync_to_async(player_authenticate)(
                player_id=route["player_id"], token=self._token()
            )
        except PlayerAuthenticationError as exc:
            await self._refuse(code=exc.code, message=str(exc), close_code=CLOSE_UNAUTHORIZED)
            return
        npc = await database_sync_to_async(npc_get_active)(npc_id=route["npc_id"])
        if npc is None:
            await self._refuse(
                code="unknown_npc", message=f"There is no active NPC {route['npc_id']!r}.", close_code=CLOSE_UNKNOWN_NPC
            )
            return
        player_id = self.player.player_id
        if OPEN_SOCKETS[player_id] >= settings.SOCKETS_PER_PLAYER:
            await self._refuse(
                code="too_many_sockets",
                message=f"This player already holds {OPEN_SOCKETS[player_id]} conversations on this server "
                f"(the limit is {settings.SOCKETS_PER_PLAYER}); close one first.",
                close_code=CLOSE_TOO_MANY_SOCKETS,
            )
            return
        OPEN_SOCKETS[player_id] += 1  # counted before the first await, so two sockets cannot both slip in
        self.counted = True
        try:
            # The process's engines: this is where the socket's session is given them.
            self.session = await self.session_class.start(
                engines=get_registry(), transport=self, player=self.player, npc=npc
            )
        except VoiceActivityUnavailable:
            await self._refuse(
                code="vad_unavailable",
                message="Voice activity detection is unavailable on this server.",
                close_code=CLOSE_SERVER_ERROR,
            )
            return
        finally:
            if self.session is None:  # refused or failed: this socket holds nothing
                self._uncount()
        LIVE_CONSUMERS.add(self)
        await self.channel_layer.group_add(player_group_name(player_id=self.player.player_id), self.channel_name)
        if _shutting_down:  # the server began to stop while this socket was opening
            await self.shut_down(grace_seconds=settings.SHUTDOWN_GRACE_SECONDS)

    async def disconnect(self, code: int) -> None:
        self.socket_open = False
        self._uncount()
        LIVE_CONSUMERS.discard(self)
        session, self.session = self.session, None
        if session is None:
            return
        try:
            await session.close()  # first: the learner's words and the conversation's end are stored
        finally:
            await group_discard_quietly(
                self.channel_layer, player_group_name(player_id=self.player.player_id), self.channel_name
            )

    async def shut_down(self, *, grace_seconds: float) -> None:
        """The server is stopping (sockets_shut_down): the session tells the client, lets its
        turns finish and stores its words within the grace period; then the socket closes with
        4503. Frames that arrive meanwhile are not read."""
        LIVE_CONSUMERS.discard(self)
        session, self.session = self.session, None
        if session is None:
            return
        self._uncount()
        try:
            await session.shut_down(grace_seconds=grace_seconds)
        finally:
            await group_discard_quietly(
                self.channel_layer, player_group_name(player_id=self.player.player_id), self.channel_name
            )
            await self.close(code=CLOSE_TRY_AGAIN)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        session = self.session
        if session is None:
            return
        if bytes_data is not None:
            await session.audio_received(bytes_data)
            return
        try:
            message = client_message_parse(text_data=text_data or "")
        except ProtocolError as exc:
            await session.protocol_error(exc)
            return
        await session.handle(message)

    async def grammar_correction(self, message: dict[str, Any]) -> None:
        """A correction pushed through the channel layer by whichever process checked the turn."""
        if self.session is not None:
            await self.send_event(message["event"])

    # --- the session's transport ------------------------------------------------------

    async def send_event(self, event: dict[str, Any]) -> None:
        if self.socket_open:
            await self.send(text_data=json.dumps(event, ensure_ascii=False))

    async def send_bytes(self, data: bytes) -> None:
        if self.socket_open:
            await self.send(bytes_data=data)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        # Nothing is sent after a close: a turn still running only stores what happened.
        self.socket_open = False
        await super().close(code=code, reason=reason)

    # --- connection -------------------------------------------------------------------

    def _token(self) -> str | None:
        headers = dict(self.scope.get("headers", []))
        authorization = headers.get(b"authorization", b"").decode("latin1") or None
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        return token_from_request_parts(authorization=authorization, query_token=(query.get("token") or [None])[0])

    def _uncount(self) -> None:
        if self.counted:
            self.counted = False
            OPEN_SOCKETS[self.player.player_id] -= 1
            if OPEN_SOCKETS[self.player.player_id] <= 0:
                del OPEN_SOCKETS[self.player.player_id]

    async def _refuse_shutting_down(self) -> None:
        await self._refuse(
            code="server_shutdown",
            message="The server is restarting. Reconnect in a moment.",
            close_code=CLOSE_TRY_AGAIN,
        )

    async def _refuse(self, *, code: str, message: str, close_code: int) -> None:
        await self.send_event(error_event(code=code, message=message))
        await self.close(code=close_code)


class StreamConversationConsumer(ConversationConsumer):
    """Hands-free: voice activity detection finds where each utterance starts and ends."""

    session_class = HandsFreeVoiceSession
