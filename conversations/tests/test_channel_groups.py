"""Mass disconnect: several hundred sockets close at once, each leaving its player's group on
the real Redis channel layer of the settings; and a group_discard that fails never stops a
consumer's disconnect."""

import asyncio
import socket

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from conversations.channel_groups import group_discard_quietly

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("redis_test_db")]

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")

SOCKETS = 500
GROUP = "player.mass-disconnect"
# A bound on the waits, never a measured time.
BOUND_SECONDS = 120


class GroupMember(AsyncWebsocketConsumer):
    """Test double of a conversation consumer: joins its player's group on connect, and on
    disconnect ends its conversation, then leaves the group the way the consumer does."""

    ended: list[str] = []
    left: list[bool] = []

    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add(GROUP, self.channel_name)

    async def disconnect(self, code):
        GroupMember.ended.append(self.channel_name)
        GroupMember.left.append(await group_discard_quietly(self.channel_layer, GROUP, self.channel_name))


@pytest.fixture
def fresh_layer():
    """The settings' channel layer, new for this test: the process's cached one may hold the
    receive state of an earlier test's event loop (one loop per process in production)."""
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    previous = channel_layers.set(DEFAULT_CHANNEL_LAYER, layer)
    yield layer
    channel_layers.set(DEFAULT_CHANNEL_LAYER, previous)


@needs_redis
async def test_several_hundred_sockets_closing_at_once_all_leave_their_group(fresh_layer):
    layer = get_channel_layer()
    assert layer is fresh_layer
    assert isinstance(layer, RedisChannelLayer)
    GroupMember.ended, GroupMember.left = [], []
    application = GroupMember.as_asgi()
    sockets = [WebsocketCommunicator(application, "/ws/") for _ in range(SOCKETS)]
    for chunk in range(0, SOCKETS, 50):
        results = await asyncio.gather(*(s.connect(timeout=BOUND_SECONDS) for s in sockets[chunk : chunk + 50]))
        assert all(connected for connected, _ in results)
    connection = layer.connection(layer.consistent_hash(GROUP))
    assert await connection.zcard(layer._group_key(GROUP)) == SOCKETS

    closing = asyncio.gather(*(s.disconnect(timeout=BOUND_SECONDS) for s in sockets))
    await asyncio.wait_for(closing, timeout=BOUND_SECONDS)

    assert len(GroupMember.ended) == SOCKETS
    assert GroupMember.left.count(True) == SOCKETS  # no MaxConnectionsError, no retry given up
    assert await connection.zcard(layer._group_key(GROUP)) == 0
    await layer.flush()


@needs_redis
async def test_the_settings_pool_takes_several_hundred_concurrent_calls_without_retry():
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channels = [await layer.new_channel() for _ in range(SOCKETS)]
    await asyncio.gather(*(layer.group_add(GROUP, channel) for channel in channels))
    await asyncio.gather(*(layer.group_discard(GROUP, channel) for channel in channels))
    await layer.flush()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_failing_group_discard_is_retried_then_given_up_without_raising(caplog):
    down = RedisChannelLayer(hosts=[{"address": f"redis://127.0.0.1:{_closed_port()}/0", "socket_connect_timeout": 1}])
    assert await asyncio.wait_for(group_discard_quietly(down, GROUP, "specific.abc!def"), BOUND_SECONDS) is False
    assert "could not remove specific.abc!def" in caplog.text


async def test_a_group_discard_that_fails_once_is_retried():
    class FlakyLayer:
        calls = 0

        async def group_discard(self, group, channel):
            FlakyLayer.calls += 1
            if FlakyLayer.calls == 1:
                raise ConnectionError("Too many connections")

    assert await group_discard_quietly(FlakyLayer(), GROUP, "specific.x") is True
    assert FlakyLayer.calls == 2
