import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from players.models import Player
from players.services import player_token_issue
from players.world_state import WORLD_EVENT_TYPES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_test_db")]


@pytest.fixture
def api():
    return APIClient()


def _post_event(api, player_id, event_type, payload=None, **extra):
    body = {"player_id": player_id, "event_type": event_type}
    if payload is not None:
        body["payload"] = payload
    return api.post("/api/events/", body, format="json", **extra)


def test_events_build_the_state_the_game_reads(api, player):
    events = [
        ("SceneChanged", {"scene_id": "bakery"}),
        ("PlayerMoved", {"x": 1.5, "y": 0, "z": -2}),
        ("PlayerPickedObject", {"object_id": "a red apple (price: 1.50 EUR)"}),
        ("PlayerEnteredProximity", {"npc_id": "baker_pierre"}),
        ("DialogueStarted", {"npc_id": "baker_pierre"}),
        ("QuestStarted", {"quest_id": "buy_bread"}),
    ]
    for event_type, payload in events:
        response = _post_event(api, player.player_id, event_type, payload)
        assert response.status_code == 200, response.json()
        assert response.json() == {"status": "ok", "event": event_type}

    state = api.get(f"/api/events/{player.player_id}/state").json()

    assert state == {
        "player_id": player.player_id,
        "language": player.target_language,
        "proficiency_level": player.proficiency_level,
        "scene_id": "bakery",
        "position": {"x": 1.5, "y": 0.0, "z": -2.0},
        "object_in_hand": "a red apple (price: 1.50 EUR)",
        "nearby_npcs": ["baker_pierre"],
        "active_quest": "buy_bread",
        "active_npc_id": "baker_pierre",
    }


def test_a_new_player_has_a_typed_empty_state(api, player):
    state = api.get(f"/api/events/{player.player_id}/state").json()
    assert state["position"] == {"x": 0.0, "y": 0.0, "z": 0.0}
    assert state["scene_id"] is None and state["object_in_hand"] is None and state["active_quest"] is None
    assert state["nearby_npcs"] == []


def test_unknown_event_type_is_a_clear_400(api, player):
    response = _post_event(api, player.player_id, "PlayerDanced", {})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "Unknown event type 'PlayerDanced'" in body["message"]
    for event_type in WORLD_EVENT_TYPES:
        assert event_type in body["message"]


@pytest.mark.parametrize(
    ("event_type", "payload", "field"),
    [
        ("PlayerMoved", {"x": 1, "y": "up", "z": 0}, "'y'"),
        ("SceneChanged", {}, "'scene_id'"),
        ("PlayerPickedObject", ["apple"], "payload"),
    ],
)
def test_bad_payload_is_a_clear_400_and_changes_nothing(api, player, event_type, payload, field):
    _post_event(api, player.player_id, "SceneChanged", {"scene_id": "bakery"})
    response = _post_event(api, player.player_id, event_type, payload)
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert api.get(f"/api/events/{player.player_id}/state").json()["scene_id"] == "bakery"


def test_missing_fields_are_named(api):
    response = api.post("/api/events/", {"event_type": "PlayerMoved"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["player_id"] == ["This field is required."]


@override_settings(VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS=False)
def test_tokens_are_required_when_anonymous_players_are_not_allowed(api, player):
    assert _post_event(api, player.player_id, "QuestStarted", {"quest_id": "q"}).status_code == 401
    token = player_token_issue(player=player)
    ok = _post_event(api, player.player_id, "QuestStarted", {"quest_id": "q"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200
    other = Player.objects.create(player_id="other_player")
    forbidden = api.get(f"/api/events/{other.player_id}/state", {"token": token})
    assert forbidden.status_code == 403
    assert forbidden.json()["text"] == "This token belongs to another player."


@override_settings(VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS=True)
def test_development_mode_creates_the_player_on_first_event(api):
    assert _post_event(api, "unity_player", "PlayerMoved", {"x": 0, "y": 0, "z": 1}).status_code == 200
    assert Player.objects.filter(player_id="unity_player").exists()
