"""A WebSocket path that matches no route, through the project's ASGI application: an `error`
event and a 4404 close, whatever the path (almost one, a prefix, garbage, a query string)."""

import pytest
from channels.testing import WebsocketCommunicator

from conversations.protocol import server_event_validate
from virtulingo.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

UNKNOWN_PATHS = [
    "/",
    "/api/conversations/ws/",
    "/api/conversations/ws/player-1/",  # no NPC
    "/api/conversations/ws/player-1/npc-1/extra/",
    "/api/conversations/ws/pl@yer/npc/",  # a character the route's slug refuses
    "/teach/classes/not-a-number/live/",
    "/%00%ff/../etc/passwd",
    "/ws?token=abc",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
async def test_an_unknown_websocket_path_gets_an_error_and_a_4404_close(path):
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    event = await communicator.receive_json_from(timeout=5)
    server_event_validate(event)
    assert event["type"] == "error" and event["code"] == "unknown_route"
    closed = await communicator.receive_output(timeout=5)
    assert closed["type"] == "websocket.close" and closed["code"] == 4404
    await communicator.wait()


async def test_a_known_route_is_still_routed_to_its_consumer():
    communicator = WebsocketCommunicator(application, "/api/conversations/ws/player-1/no-such-npc/")
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    event = await communicator.receive_json_from(timeout=10)
    assert event["code"] != "unknown_route"
    await communicator.disconnect()
