"""Mass disconnect, in a process of its own (run by test_channel_groups.py): several hundred
sockets join one group on the settings' Redis channel layer, then all close at once, each
consumer leaving the group the way the conversation consumer does. Prints a JSON summary.

    python -m conversations.tests.mass_disconnect REDIS_ADDRESS SOCKETS BOUND_SECONDS

A process of its own, like a server's: in the full test suite the same scenario on the
suite's shared event-loop state hung in its disconnects (twice in CI, never alone)."""

import asyncio
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers  # noqa: E402
from channels.testing import WebsocketCommunicator  # noqa: E402
from channels_redis.core import RedisChannelLayer  # noqa: E402
from django.conf import settings  # noqa: E402

from conversations.channel_groups import group_discard_quietly  # noqa: E402

GROUP = "player.mass-disconnect"


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


async def mass_disconnect(address: str, sockets: int, bound: float) -> dict[str, int]:
    config = dict(settings.CHANNEL_LAYERS["default"]["CONFIG"])
    config["hosts"] = [{**config["hosts"][0], "address": address}]
    layer = RedisChannelLayer(**config)
    channel_layers.set(DEFAULT_CHANNEL_LAYER, layer)
    application = GroupMember.as_asgi()
    communicators = [WebsocketCommunicator(application, "/ws/") for _ in range(sockets)]
    for chunk in range(0, sockets, 50):
        results = await asyncio.gather(*(c.connect(timeout=bound) for c in communicators[chunk : chunk + 50]))
        assert all(connected for connected, _ in results)
    connection = layer.connection(layer.consistent_hash(GROUP))
    joined = await connection.zcard(layer._group_key(GROUP))
    closing = asyncio.gather(*(c.disconnect(timeout=bound) for c in communicators))
    await asyncio.wait_for(closing, timeout=bound)
    remaining = await connection.zcard(layer._group_key(GROUP))
    await layer.flush()
    return {
        "joined": joined,
        "ended": len(GroupMember.ended),
        "left": GroupMember.left.count(True),
        "remaining": remaining,
    }


if __name__ == "__main__":
    redis_address, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(asyncio.run(mass_disconnect(redis_address, count, seconds))))
