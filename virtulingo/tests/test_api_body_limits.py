"""Hostile REST bodies, sent to every DRF endpoint that takes one: deeply nested JSON,
malformed JSON and a body over the limit each get the API's JSON error shape with its own
code, never a server error or an HTML page."""

import json

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from npcs.tests.factories import NPCFactory
from players.tests.factories import PlayerFactory
from virtulingo.api_parsers import json_depth_exceeds

pytestmark = pytest.mark.django_db


def _api_paths() -> list[str]:
    """A concrete path for every DRF view that accepts a body (POST, PUT or PATCH)."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                if view_class and issubclass(view_class, APIView) and {"post", "put", "patch"} & set(dir(view_class)):
                    path = (prefix + route).replace("<slug:player_id>", "player-1").replace("<slug:npc_id>", "npc-1")
                    found.append("/" + path.replace("<int:mistake_id>", "1"))

    walk(get_resolver().url_patterns, "")
    return found


API_PATHS = _api_paths()


def test_the_endpoints_are_found():
    assert "/api/review/check" in API_PATHS and "/api/events/" in API_PATHS
    assert len(API_PATHS) >= 7


# Views that never read the body answer as usual whatever it holds.
BODY_IGNORED = {"/api/review/player-1/generate", "/api/mistakes/1/reject", "/api/mistakes/1/restore"}


@pytest.fixture
def client(db, django_user_model):
    """Signed in as staff, with the player and the NPC the paths name: every view reaches its body."""
    NPCFactory(npc_id="npc-1")
    PlayerFactory(player_id="player-1")
    client = APIClient()
    client.force_login(django_user_model.objects.create_superuser("staff", "staff@example.org", "pw"))
    return client


def _post(client: APIClient, path: str, body: str | bytes):
    response = client.post(path, data=body, content_type="application/json")
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data = json.loads(response.content)
    assert data.get("message") == data.get("text") and data.get("code"), (path, body[:20], data)
    return response.status_code, data


@pytest.mark.parametrize("path", sorted(set(API_PATHS) - BODY_IGNORED))
def test_deeply_nested_json_is_bad_json(client, path):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 20_000 + "1" + "}" * 20_000, "[" * 33 + "]" * 33):
        status, data = _post(client, path, body)
        assert (status, data["code"]) == (400, "bad_json"), data


@pytest.mark.parametrize("path", sorted(set(API_PATHS) - BODY_IGNORED))
def test_malformed_json_is_bad_json(client, path):
    for body in ('{"a":', b"\xff\xfe{}", "NaN"):
        status, data = _post(client, path, body)
        assert (status, data["code"]) == (400, "bad_json"), data


@pytest.mark.parametrize("path", sorted(set(API_PATHS) - BODY_IGNORED))
def test_a_ten_megabyte_body_is_request_too_large(client, path):
    status, data = _post(client, path, '{"utterance": "' + "x" * 10_000_000 + '"}')
    assert (status, data["code"]) == (413, "request_too_large")


@override_settings(VIRTULINGO_API_MAX_BODY_BYTES=100, VIRTULINGO_API_MAX_JSON_DEPTH=3)
def test_the_limits_are_settings(client):
    status, data = _post(client, "/api/review/check", json.dumps({"answer": "x" * 200}))
    assert (status, data["code"]) == (413, "request_too_large")
    status, data = _post(client, "/api/review/check", json.dumps({"a": [[[1]]]}))
    assert (status, data["code"]) == (400, "bad_json")
    status, data = _post(client, "/api/review/check", json.dumps({"a": [[1]]}))
    assert data["code"] != "bad_json"


def test_depth_is_counted_without_recursion():
    assert not json_depth_exceeds({"a": [1, {"b": 2}]}, 3)
    assert json_depth_exceeds({"a": [1, {"b": [2]}]}, 3)
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_depth_exceeds(deep, 32)
