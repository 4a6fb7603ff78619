"""The live world state of each player and the recent history with each NPC.

Game events (PROTOCOL.md, "Game events") change the state; the dialogue prompt
reads it. Redis holds it when `REDIS_URL` is set, so every server process sees the
same state; otherwise it lives in this process (single development process only).
Both stores have one async interface and the same TTL semantics: a key lives for
`WORLD_STATE_TTL_SECONDS` after its last write.

The player's language and proficiency level belong to the Player row, not to the
world state: `PlayerWorldState.to_dict` takes them as arguments.
"""

import asyncio
import dataclasses
import json
import logging
import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import redis.asyncio
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.exceptions import RedisError, WatchError

from players.signals import world_event_recorded_announce

logger = logging.getLogger(__name__)

KEY_PREFIX = "virtulingo:"
# Object descriptions ("a red apple (price: 1.50 EUR)") go into the prompt: keep them short.
EVENT_TEXT_MAX_LENGTH = 200


@dataclasses.dataclass(frozen=True, slots=True)
class Position:
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0


@dataclasses.dataclass(frozen=True, slots=True)
class PlayerWorldState:
    player_id: str
    scene_id: str | None = None
    position: Position = Position()
    object_in_hand: str | None = None
    nearby_npcs: tuple[str, ...] = ()
    active_quest: str | None = None
    active_npc_id: str | None = None

    def to_dict(self, *, language: str, proficiency_level: str) -> dict[str, Any]:
        """PROTOCOL.md's PlayerState."""
        return {
            "player_id": self.player_id,
            "language": language,
            "proficiency_level": proficiency_level,
            "scene_id": self.scene_id,
            "position": dataclasses.asdict(self.position),
            "object_in_hand": self.object_in_hand,
            "nearby_npcs": list(self.nearby_npcs),
            "active_quest": self.active_quest,
            "active_npc_id": self.active_npc_id,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryExchange:
    player_text: str
    npc_text: str


class WorldEventError(ValueError):
    """A game event that cannot be applied; the message is meant for the client."""


class UnknownWorldEventError(WorldEventError):
    def __init__(self, event_type: object) -> None:
        super().__init__(f"Unknown event type {event_type!r}; valid types: {', '.join(WORLD_EVENT_TYPES)}.")
        self.event_type = event_type


class InvalidWorldEventPayloadError(WorldEventError):
    def __init__(self, *, event_type: str, field: str | None, problem: str) -> None:
        where = f"field {field!r}" if field else "payload"
        super().__init__(f"{event_type}: {where} {problem}.")
        self.event_type = event_type
        self.field = field


def _payload_text(*, event_type: str, payload: dict[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidWorldEventPayloadError(event_type=event_type, field=field, problem="must be a non-empty string")
    if len(value) > EVENT_TEXT_MAX_LENGTH:
        raise InvalidWorldEventPayloadError(
            event_type=event_type, field=field, problem=f"must be at most {EVENT_TEXT_MAX_LENGTH} characters"
        )
    return value.strip()


def _payload_number(*, event_type: str, payload: dict[str, Any], field: str) -> float:
    value = payload.get(field)
    # bool is an int subclass, and JSON true is not a coordinate.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidWorldEventPayloadError(event_type=event_type, field=field, problem="must be a finite number")
    return float(value)


def _player_moved(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    x, y, z = (_payload_number(event_type="PlayerMoved", payload=payload, field=axis) for axis in "xyz")
    return dataclasses.replace(state, position=Position(x=x, y=y, z=z))


def _player_picked_object(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    object_id = _payload_text(event_type="PlayerPickedObject", payload=payload, field="object_id")
    return dataclasses.replace(state, object_in_hand=object_id)


def _player_dropped_object(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    object_id = _payload_text(event_type="PlayerDroppedObject", payload=payload, field="object_id")
    # Dropping something else (from an inventory) leaves the hand as it is.
    return dataclasses.replace(state, object_in_hand=None) if state.object_in_hand == object_id else state


def _player_entered_proximity(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    npc_id = _payload_text(event_type="PlayerEnteredProximity", payload=payload, field="npc_id")
    if npc_id in state.nearby_npcs:
        return state
    return dataclasses.replace(state, nearby_npcs=(*state.nearby_npcs, npc_id))


def _player_left_proximity(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    npc_id = _payload_text(event_type="PlayerLeftProximity", payload=payload, field="npc_id")
    return dataclasses.replace(state, nearby_npcs=tuple(npc for npc in state.nearby_npcs if npc != npc_id))


def _scene_changed(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    scene_id = _payload_text(event_type="SceneChanged", payload=payload, field="scene_id")
    return dataclasses.replace(state, scene_id=scene_id, nearby_npcs=(), object_in_hand=None)


def _dialogue_started(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    npc_id = _payload_text(event_type="DialogueStarted", payload=payload, field="npc_id")
    return dataclasses.replace(state, active_npc_id=npc_id)


def _dialogue_ended(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    npc_id = _payload_text(event_type="DialogueEnded", payload=payload, field="npc_id")
    # A late end of an earlier dialogue must not end the current one.
    return dataclasses.replace(state, active_npc_id=None) if state.active_npc_id == npc_id else state


def _quest_started(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    quest_id = _payload_text(event_type="QuestStarted", payload=payload, field="quest_id")
    return dataclasses.replace(state, active_quest=quest_id)


def _quest_completed(state: PlayerWorldState, payload: dict[str, Any]) -> PlayerWorldState:
    quest_id = _payload_text(event_type="QuestCompleted", payload=payload, field="quest_id")
    return dataclasses.replace(state, active_quest=None) if state.active_quest == quest_id else state


_EVENT_HANDLERS: dict[str, Callable[[PlayerWorldState, dict[str, Any]], PlayerWorldState]] = {
    "PlayerMoved": _player_moved,
    "PlayerPickedObject": _player_picked_object,
    "PlayerDroppedObject": _player_dropped_object,
    "PlayerEnteredProximity": _player_entered_proximity,
    "PlayerLeftProximity": _player_left_proximity,
    "SceneChanged": _scene_changed,
    "DialogueStarted": _dialogue_started,
    "DialogueEnded": _dialogue_ended,
    "QuestStarted": _quest_started,
    "QuestCompleted": _quest_completed,
}
WORLD_EVENT_TYPES = tuple(_EVENT_HANDLERS)


def world_state_apply_event(*, state: PlayerWorldState, event_type: str, payload: Any) -> PlayerWorldState:
    """The state after a game event (pure: nothing is stored)."""
    handler = _EVENT_HANDLERS.get(event_type)
    if handler is None:
        raise UnknownWorldEventError(event_type)
    if not isinstance(payload, dict):
        raise InvalidWorldEventPayloadError(event_type=event_type, field=None, problem="must be a JSON object")
    return handler(state, payload)


class WorldStateStore(ABC):
    def __init__(self, *, ttl_seconds: int, history_exchanges: int) -> None:
        self.ttl_seconds = ttl_seconds
        self.history_exchanges = history_exchanges
        # History is cut in halves, not one exchange per turn: the language model keeps the
        # previous prompt in its cache and only reads what was appended, but dropping the oldest
        # exchange changes the prompt's start and makes it read the whole history again (about
        # 3 s for 10 exchanges on the embedded model, against 0.5 s to read one more).
        self.history_kept_after_cut = history_exchanges - history_exchanges // 2

    @abstractmethod
    async def state_get(self, *, player_id: str) -> PlayerWorldState:
        """The player's state; a player without one (new or expired) gets the defaults."""

    @abstractmethod
    async def state_update(
        self, *, player_id: str, change: Callable[[PlayerWorldState], PlayerWorldState]
    ) -> PlayerWorldState:
        """Replace the state with `change(state)` atomically, and return the new state.

        `change` may be called more than once (on a concurrent write) and must be pure.
        """

    @abstractmethod
    async def history_append(self, *, player_id: str, npc_id: str, exchange: HistoryExchange) -> None:
        """Add an exchange; past `history_exchanges`, only the last `history_kept_after_cut` stay."""

    @abstractmethod
    async def history_list(self, *, player_id: str, npc_id: str) -> list[HistoryExchange]:
        """The kept exchanges, oldest first."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the connections this event loop holds."""


class InProcessWorldStateStore(WorldStateStore):
    def __init__(
        self, *, ttl_seconds: int, history_exchanges: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(ttl_seconds=ttl_seconds, history_exchanges=history_exchanges)
        self._clock = clock
        # Sync views reach the store through async_to_sync from other threads.
        self._lock = threading.Lock()
        # key -> (expiry, value). Every write moves its key to the end, so with one
        # TTL the dict stays ordered by expiry and expired keys are at its front.
        self._entries: dict[tuple[str, ...], tuple[float, Any]] = {}

    async def state_get(self, *, player_id: str) -> PlayerWorldState:
        with self._lock:
            return self._read(("state", player_id), PlayerWorldState(player_id=player_id))

    async def state_update(
        self, *, player_id: str, change: Callable[[PlayerWorldState], PlayerWorldState]
    ) -> PlayerWorldState:
        with self._lock:
            state = change(self._read(("state", player_id), PlayerWorldState(player_id=player_id)))
            self._write(("state", player_id), state)
            return state

    async def history_append(self, *, player_id: str, npc_id: str, exchange: HistoryExchange) -> None:
        key = ("history", player_id, npc_id)
        with self._lock:
            history = (*self._read(key, ()), exchange)
            if len(history) > self.history_exchanges:
                history = history[-self.history_kept_after_cut :]
            self._write(key, history)

    async def history_list(self, *, player_id: str, npc_id: str) -> list[HistoryExchange]:
        with self._lock:
            return list(self._read(("history", player_id, npc_id), ()))

    async def aclose(self) -> None:
        """Nothing to release: the state lives in this object."""

    def _read(self, key: tuple[str, ...], default: Any) -> Any:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] > self._clock() else default

    def _write(self, key: tuple[str, ...], value: Any) -> None:
        now = self._clock()
        while self._entries:
            oldest_key, (expiry, _) = next(iter(self._entries.items()))
            if expiry > now:
                break
            del self._entries[oldest_key]
        self._entries.pop(key, None)
        self._entries[key] = (now + self.ttl_seconds, value)


class RedisWorldStateStore(WorldStateStore):
    """State as one JSON string per player, history as one capped JSON list per player x NPC."""

    def __init__(self, *, url: str, ttl_seconds: int, history_exchanges: int) -> None:
        super().__init__(ttl_seconds=ttl_seconds, history_exchanges=history_exchanges)
        self._url = url
        # A redis.asyncio connection belongs to the event loop that opened it, and
        # async_to_sync gives sync callers loops of their own: one client per loop.
        self._lock = threading.Lock()
        self._clients: dict[asyncio.AbstractEventLoop, redis.asyncio.Redis] = {}

    async def state_get(self, *, player_id: str) -> PlayerWorldState:
        """The player's state; the default state while Redis cannot be reached (a turn goes on
        without the scene rather than failing)."""
        try:
            raw = await self._client().get(_state_key(player_id=player_id))
        except RedisError as exc:
            logger.warning("world state of %s unavailable, using the default (%s)", player_id, exc)
            return PlayerWorldState(player_id=player_id)
        return _state_decode(player_id=player_id, raw=raw)

    async def state_update(
        self, *, player_id: str, change: Callable[[PlayerWorldState], PlayerWorldState]
    ) -> PlayerWorldState:
        key = _state_key(player_id=player_id)
        async with self._client().pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    state = change(_state_decode(player_id=player_id, raw=await pipe.get(key)))
                    pipe.multi()
                    pipe.set(key, _state_encode(state=state), ex=self.ttl_seconds)
                    await pipe.execute()
                    return state
                except WatchError:
                    # Another process wrote the state between our read and write: redo.
                    continue

    async def history_append(self, *, player_id: str, npc_id: str, exchange: HistoryExchange) -> None:
        key = _history_key(player_id=player_id, npc_id=npc_id)
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(dataclasses.asdict(exchange)))
            pipe.expire(key, self.ttl_seconds)
            length, _ = await pipe.execute()
        if length > self.history_exchanges:
            await self._client().ltrim(key, -self.history_kept_after_cut, -1)

    async def history_list(self, *, player_id: str, npc_id: str) -> list[HistoryExchange]:
        try:
            items = await self._client().lrange(_history_key(player_id=player_id, npc_id=npc_id), 0, -1)
        except RedisError as exc:
            logger.warning("history of %s with %s unavailable, using none (%s)", player_id, npc_id, exc)
            return []
        return [HistoryExchange(**json.loads(item)) for item in items]

    async def aclose(self) -> None:
        with self._lock:
            client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    def _client(self) -> redis.asyncio.Redis:
        loop = asyncio.get_running_loop()
        with self._lock:
            # Clients of closed loops cannot be used or closed any more: drop them.
            for closed in [other for other in self._clients if other.is_closed()]:
                del self._clients[closed]
            client = self._clients.get(loop)
            if client is None:
                client = self._clients[loop] = redis.asyncio.Redis.from_url(
                    self._url,
                    decode_responses=True,
                    # Down or restarting: fail fast (a turn waits for this), and replace pooled
                    # connections that a restart killed.
                    socket_connect_timeout=2,
                    socket_timeout=5,
                    health_check_interval=15,
                )
            return client


def _state_key(*, player_id: str) -> str:
    return f"{KEY_PREFIX}world-state:{player_id}"


def _history_key(*, player_id: str, npc_id: str) -> str:
    return f"{KEY_PREFIX}history:{player_id}:{npc_id}"


def _state_encode(*, state: PlayerWorldState) -> str:
    data = dataclasses.asdict(state)
    del data["player_id"]  # it is in the key
    return json.dumps(data)


def _state_decode(*, player_id: str, raw: str | None) -> PlayerWorldState:
    if raw is None:
        return PlayerWorldState(player_id=player_id)
    data = json.loads(raw)
    return PlayerWorldState(
        player_id=player_id,
        scene_id=data["scene_id"],
        position=Position(**data["position"]),
        object_in_hand=data["object_in_hand"],
        nearby_npcs=tuple(data["nearby_npcs"]),
        active_quest=data["active_quest"],
        active_npc_id=data["active_npc_id"],
    )


_store: WorldStateStore | None = None
_store_lock = threading.Lock()


def get_world_state_store() -> WorldStateStore:
    """The process's store, chosen from settings on first use."""
    global _store
    with _store_lock:
        if _store is None:
            if settings.REDIS_URL:
                _store = RedisWorldStateStore(
                    url=settings.REDIS_URL,
                    ttl_seconds=settings.WORLD_STATE_TTL_SECONDS,
                    history_exchanges=settings.HISTORY_EXCHANGES,
                )
            else:
                _store = InProcessWorldStateStore(
                    ttl_seconds=settings.WORLD_STATE_TTL_SECONDS, history_exchanges=settings.HISTORY_EXCHANGES
                )
        return _store


@receiver(setting_changed)
def _world_state_store_reset(*, setting: str, **kwargs: Any) -> None:
    # Tests override these settings: the next caller gets a store that matches them.
    global _store
    if setting in {"REDIS_URL", "WORLD_STATE_TTL_SECONDS", "HISTORY_EXCHANGES"}:
        with _store_lock:
            _store = None


async def world_state_record_event(*, player_id: str, event_type: str, payload: Any) -> PlayerWorldState:
    """Apply a game event to the stored state of the player; invalid events change nothing."""
    state = await get_world_state_store().state_update(
        player_id=player_id,
        change=lambda state: world_state_apply_event(state=state, event_type=event_type, payload=payload),
    )
    await world_event_recorded_announce(player_id=player_id, event_type=event_type, state=state)
    return state
