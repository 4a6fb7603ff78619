import asyncio
import math

import pytest
import pytest_asyncio
import redis

from players.world_state import (
    WORLD_EVENT_TYPES,
    HistoryExchange,
    InProcessWorldStateStore,
    InvalidWorldEventPayloadError,
    PlayerWorldState,
    Position,
    RedisWorldStateStore,
    UnknownWorldEventError,
    get_world_state_store,
    world_state_apply_event,
    world_state_record_event,
)
from virtulingo.tests.redis_databases import TEST_WORLD_STATE_REDIS_DB

# The tests' own database index on the local Redis, emptied after each test.
REDIS_TEST_URL = f"redis://127.0.0.1:6379/{TEST_WORLD_STATE_REDIS_DB}"
TTL_SECONDS = 120


def redis_unreachable_reason() -> str | None:
    try:
        with redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1) as client:
            client.ping()
    except redis.RedisError as error:
        return f"Redis is not reachable at {REDIS_TEST_URL}: {error}"
    return None


@pytest.fixture
def redis_db():
    if reason := redis_unreachable_reason():
        pytest.skip(reason)
    with redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True) as client:
        client.flushdb()
        yield client
        client.flushdb()


def settings_for_store_tests(settings, *, redis_url: str) -> None:
    settings.REDIS_URL = redis_url
    settings.WORLD_STATE_TTL_SECONDS = TTL_SECONDS
    settings.HISTORY_EXCHANGES = 3


@pytest.fixture
def in_process_store(settings):
    settings_for_store_tests(settings, redis_url="")
    return get_world_state_store()


@pytest_asyncio.fixture
async def redis_store(settings, redis_db):
    settings_for_store_tests(settings, redis_url=REDIS_TEST_URL)
    store = get_world_state_store()
    yield store
    await store.aclose()


@pytest.fixture(params=["in_process_store", "redis_store"])
def store(request):
    return request.getfixturevalue(request.param)


def apply(state: PlayerWorldState, event_type: str, **payload) -> PlayerWorldState:
    return world_state_apply_event(state=state, event_type=event_type, payload=payload)


# --- Applying events (pure) ------------------------------------------------

START = PlayerWorldState(
    player_id="p1",
    scene_id="market",
    position=Position(x=1.0, y=0.0, z=2.0),
    object_in_hand="an apple",
    nearby_npcs=("baker", "guard"),
    active_quest="bread",
    active_npc_id="baker",
)


@pytest.mark.parametrize(
    ("event_type", "payload", "changes"),
    [
        ("PlayerMoved", {"x": 3, "y": -1.5, "z": 0.25}, {"position": Position(x=3.0, y=-1.5, z=0.25)}),
        (
            "PlayerPickedObject",
            {"object_id": "a red apple (price: 1.50 EUR)"},
            {"object_in_hand": "a red apple (price: 1.50 EUR)"},
        ),
        ("PlayerDroppedObject", {"object_id": "an apple"}, {"object_in_hand": None}),
        ("PlayerDroppedObject", {"object_id": "a pear"}, {}),
        ("PlayerEnteredProximity", {"npc_id": "fisher"}, {"nearby_npcs": ("baker", "guard", "fisher")}),
        ("PlayerEnteredProximity", {"npc_id": "guard"}, {}),
        ("PlayerLeftProximity", {"npc_id": "baker"}, {"nearby_npcs": ("guard",)}),
        ("PlayerLeftProximity", {"npc_id": "fisher"}, {}),
        ("SceneChanged", {"scene_id": "harbour"}, {"scene_id": "harbour", "nearby_npcs": (), "object_in_hand": None}),
        ("DialogueStarted", {"npc_id": "guard"}, {"active_npc_id": "guard"}),
        ("DialogueEnded", {"npc_id": "baker"}, {"active_npc_id": None}),
        ("DialogueEnded", {"npc_id": "guard"}, {}),
        ("QuestStarted", {"quest_id": "fish"}, {"active_quest": "fish"}),
        ("QuestCompleted", {"quest_id": "bread"}, {"active_quest": None}),
        ("QuestCompleted", {"quest_id": "fish"}, {}),
    ],
)
def test_apply_event(event_type: str, payload: dict, changes: dict) -> None:
    expected = PlayerWorldState(**{**{field: getattr(START, field) for field in START.__slots__}, **changes})
    assert world_state_apply_event(state=START, event_type=event_type, payload=payload) == expected


def test_every_protocol_event_type_is_handled() -> None:
    assert set(WORLD_EVENT_TYPES) == {
        "PlayerMoved",
        "PlayerPickedObject",
        "PlayerDroppedObject",
        "PlayerEnteredProximity",
        "PlayerLeftProximity",
        "SceneChanged",
        "DialogueStarted",
        "DialogueEnded",
        "QuestStarted",
        "QuestCompleted",
    }


def test_unknown_event_type_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownWorldEventError) as raised:
        apply(START, "PlayerJumped", height=2)
    assert "'PlayerJumped'" in str(raised.value)
    for event_type in WORLD_EVENT_TYPES:
        assert event_type in str(raised.value)


@pytest.mark.parametrize(
    ("event_type", "payload", "field"),
    [
        ("PlayerMoved", {"x": 1, "y": 2}, "z"),
        ("PlayerMoved", {"x": "1", "y": 2, "z": 3}, "x"),
        ("PlayerMoved", {"x": 1, "y": True, "z": 3}, "y"),
        ("PlayerMoved", {"x": 1, "y": 2, "z": math.nan}, "z"),
        ("PlayerPickedObject", {}, "object_id"),
        ("PlayerPickedObject", {"object_id": "   "}, "object_id"),
        ("PlayerPickedObject", {"object_id": "x" * 201}, "object_id"),
        ("PlayerEnteredProximity", {"npc_id": 7}, "npc_id"),
        ("SceneChanged", {"scene": "harbour"}, "scene_id"),
        ("QuestStarted", {"quest_id": None}, "quest_id"),
    ],
)
def test_invalid_payload_names_the_field(event_type: str, payload: dict, field: str) -> None:
    with pytest.raises(InvalidWorldEventPayloadError) as raised:
        world_state_apply_event(state=START, event_type=event_type, payload=payload)
    assert raised.value.field == field
    assert f"{event_type}: field {field!r}" in str(raised.value)


def test_payload_must_be_an_object() -> None:
    with pytest.raises(InvalidWorldEventPayloadError, match="payload must be a JSON object"):
        world_state_apply_event(state=START, event_type="PlayerMoved", payload=[1, 2, 3])


def test_text_fields_are_stripped() -> None:
    assert apply(START, "DialogueStarted", npc_id="  fisher ").active_npc_id == "fisher"


def test_to_dict_is_protocol_player_state() -> None:
    assert START.to_dict(language="es", proficiency_level="A2") == {
        "player_id": "p1",
        "language": "es",
        "proficiency_level": "A2",
        "scene_id": "market",
        "position": {"x": 1.0, "y": 0.0, "z": 2.0},
        "object_in_hand": "an apple",
        "nearby_npcs": ["baker", "guard"],
        "active_quest": "bread",
        "active_npc_id": "baker",
    }


def test_new_player_state_uses_nulls_and_the_origin() -> None:
    assert PlayerWorldState(player_id="p2").to_dict(language="en", proficiency_level="B1") == {
        "player_id": "p2",
        "language": "en",
        "proficiency_level": "B1",
        "scene_id": None,
        "position": {"x": 0.0, "y": 0.0, "z": 0.0},
        "object_in_hand": None,
        "nearby_npcs": [],
        "active_quest": None,
        "active_npc_id": None,
    }


# --- Both stores ------------------------------------------------------------


@pytest.mark.asyncio
async def test_unknown_player_gets_the_default_state(store) -> None:
    assert await store.state_get(player_id="nobody") == PlayerWorldState(player_id="nobody")


@pytest.mark.asyncio
async def test_recorded_events_are_stored_per_player(store) -> None:
    await world_state_record_event(player_id="p1", event_type="SceneChanged", payload={"scene_id": "market"})
    await world_state_record_event(player_id="p1", event_type="PlayerMoved", payload={"x": 1, "y": 2.5, "z": -3})
    await world_state_record_event(player_id="p1", event_type="PlayerPickedObject", payload={"object_id": "a fish"})
    await world_state_record_event(player_id="p2", event_type="QuestStarted", payload={"quest_id": "bread"})

    assert await store.state_get(player_id="p1") == PlayerWorldState(
        player_id="p1", scene_id="market", position=Position(x=1.0, y=2.5, z=-3.0), object_in_hand="a fish"
    )
    assert await store.state_get(player_id="p2") == PlayerWorldState(player_id="p2", active_quest="bread")


@pytest.mark.asyncio
async def test_invalid_event_leaves_the_state_unchanged(store) -> None:
    await world_state_record_event(player_id="p1", event_type="QuestStarted", payload={"quest_id": "bread"})
    with pytest.raises(UnknownWorldEventError):
        await world_state_record_event(player_id="p1", event_type="Teleported", payload={})
    with pytest.raises(InvalidWorldEventPayloadError):
        await world_state_record_event(player_id="p1", event_type="PlayerMoved", payload={"x": 1})
    assert await store.state_get(player_id="p1") == PlayerWorldState(player_id="p1", active_quest="bread")


@pytest.mark.asyncio
async def test_concurrent_updates_are_not_lost(store) -> None:
    npcs = [f"npc-{index}" for index in range(20)]
    await asyncio.gather(
        *(
            world_state_record_event(player_id="p1", event_type="PlayerEnteredProximity", payload={"npc_id": npc})
            for npc in npcs
        )
    )
    state = await store.state_get(player_id="p1")
    assert sorted(state.nearby_npcs) == sorted(npcs)


@pytest.mark.asyncio
async def test_history_keeps_the_last_exchanges_oldest_first(store) -> None:
    for index in range(5):
        await store.history_append(
            player_id="p1",
            npc_id="baker",
            exchange=HistoryExchange(player_text=f"hi {index}", npc_text=f"hello {index}"),
        )
    await store.history_append(
        player_id="p1", npc_id="guard", exchange=HistoryExchange(player_text="halt?", npc_text="halt!")
    )

    assert await store.history_list(player_id="p1", npc_id="baker") == [
        HistoryExchange(player_text=f"hi {index}", npc_text=f"hello {index}") for index in (2, 3, 4)
    ]
    assert await store.history_list(player_id="p1", npc_id="guard") == [
        HistoryExchange(player_text="halt?", npc_text="halt!")
    ]
    assert await store.history_list(player_id="p2", npc_id="baker") == []


@pytest.mark.asyncio
async def test_concurrent_history_appends_stay_capped(store) -> None:
    await asyncio.gather(
        *(
            store.history_append(
                player_id="p1", npc_id="baker", exchange=HistoryExchange(player_text=str(index), npc_text="ok")
            )
            for index in range(12)
        )
    )
    history = await store.history_list(player_id="p1", npc_id="baker")
    assert store.history_kept_after_cut <= len(history) <= store.history_exchanges
    assert len({exchange.player_text for exchange in history}) == len(history)


@pytest.mark.asyncio
async def test_history_is_cut_in_halves_so_the_prompt_start_stays_the_same(store) -> None:
    """Between cuts every list starts like the previous one (the model's cached prompt stays valid)."""
    lists = []
    for index in range(10):
        await store.history_append(
            player_id="p1", npc_id="baker", exchange=HistoryExchange(player_text=str(index), npc_text="ok")
        )
        lists.append([exchange.player_text for exchange in await store.history_list(player_id="p1", npc_id="baker")])
    # history_exchanges is 3: 1, 2, 3 exchanges, then cut to the last 2, and so on.
    assert [len(history) for history in lists] == [1, 2, 3, 2, 3, 2, 3, 2, 3, 2]
    assert lists[3] == ["2", "3"] and lists[4] == ["2", "3", "4"] and lists[-1] == ["8", "9"]


@pytest.mark.asyncio
async def test_text_round_trips_unchanged(store) -> None:
    exchange = HistoryExchange(player_text='¿Cuánto cuesta? "1,50 €"', npc_text="Ça coûte… 1.50 €\nMerci!")
    await store.history_append(player_id="p1", npc_id="baker", exchange=exchange)
    await world_state_record_event(
        player_id="p1", event_type="PlayerPickedObject", payload={"object_id": "une pomme « rouge »"}
    )
    assert await store.history_list(player_id="p1", npc_id="baker") == [exchange]
    assert (await store.state_get(player_id="p1")).object_in_hand == "une pomme « rouge »"


# --- Each store -------------------------------------------------------------


@pytest.mark.asyncio
async def test_redis_keys_expire_and_carry_the_prefix(redis_store, redis_db) -> None:
    await world_state_record_event(player_id="p1", event_type="QuestStarted", payload={"quest_id": "bread"})
    await redis_store.history_append(
        player_id="p1", npc_id="baker", exchange=HistoryExchange(player_text="a", npc_text="b")
    )
    keys = sorted(redis_db.keys("*"))
    assert keys == ["virtulingo:history:p1:baker", "virtulingo:world-state:p1"]
    for key in keys:
        assert 0 < redis_db.ttl(key) <= TTL_SECONDS


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_in_process_entries_expire_after_the_ttl_since_the_last_write() -> None:
    clock = FakeClock()
    store = InProcessWorldStateStore(ttl_seconds=60, history_exchanges=10, clock=clock)
    moved = await store.state_update(player_id="p1", change=lambda state: apply(state, "PlayerMoved", x=1, y=2, z=3))
    await store.history_append(player_id="p1", npc_id="baker", exchange=HistoryExchange(player_text="a", npc_text="b"))

    clock.now += 59
    assert await store.state_get(player_id="p1") == moved
    await store.state_update(player_id="p1", change=lambda state: state)  # a write renews the TTL
    clock.now += 2
    assert await store.state_get(player_id="p1") == moved
    assert await store.history_list(player_id="p1", npc_id="baker") == []
    clock.now += 60
    assert await store.state_get(player_id="p1") == PlayerWorldState(player_id="p1")


@pytest.mark.asyncio
async def test_in_process_store_forgets_expired_players() -> None:
    clock = FakeClock()
    store = InProcessWorldStateStore(ttl_seconds=60, history_exchanges=10, clock=clock)
    for index in range(5):
        await store.state_update(player_id=f"p{index}", change=lambda state: state)
    clock.now += 61
    await store.state_update(player_id="p9", change=lambda state: state)
    assert list(store._entries) == [("state", "p9")]


# --- Choosing a store -------------------------------------------------------


def test_factory_uses_the_in_process_store_without_redis(settings) -> None:
    settings.REDIS_URL = ""
    settings.WORLD_STATE_TTL_SECONDS = 77
    settings.HISTORY_EXCHANGES = 4
    store = get_world_state_store()
    assert isinstance(store, InProcessWorldStateStore)
    assert (store.ttl_seconds, store.history_exchanges) == (77, 4)
    assert get_world_state_store() is store


def test_factory_uses_redis_when_configured(settings) -> None:
    settings.REDIS_URL = REDIS_TEST_URL
    store = get_world_state_store()
    assert isinstance(store, RedisWorldStateStore)
    assert get_world_state_store() is store
