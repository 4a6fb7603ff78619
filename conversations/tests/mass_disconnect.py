"""Mass disconnect, in a process of its own (run by test_channel_groups.py): several hundred
sockets join one group on the settings' Redis channel layer, then all close at once, each
consumer leaving the group the way the conversation consumer does. Prints a JSON summary.

    python -m conversations.tests.mass_disconnect REDIS_ADDRESS SOCKETS BOUND_SECONDS

A process of its own, like a server's. The summary also counts consumer tasks still running
once every consumer had ended its conversation and left its group (see below): informative,
not asserted."""

import asyncio
import json
import os
import sys
import time

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
    await asyncio.gather(*(c.send_input({"type": "websocket.disconnect", "code": 1000}) for c in communicators))
    # What a closing consumer owes: its conversation ended and its group left. Waited for
    # directly, not through every consumer task's end: under CPU load channels_redis's receive
    # teardown left 1 to 58 tasks of 500 waiting for ever after their disconnect had done both.
    deadline = time.monotonic() + bound
    while len(GroupMember.left) < sockets and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    remaining = await connection.zcard(layer._group_key(GROUP))
    still_running = [c for c in communicators if not c.future.done()]
    return {
        "joined": joined,
        "ended": len(GroupMember.ended),
        "left": GroupMember.left.count(True),
        "remaining": remaining,
        "tasks_still_running": len(still_running),
    }


if __name__ == "__main__":
    redis_address, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    summary = asyncio.new_event_loop().run_until_complete(mass_disconnect(redis_address, count, seconds))
    print(json.dumps(summary), flush=True)
    # Not asyncio.run: its teardown waits on the tasks channels_redis leaves stuck, and cancelling
    # them can hang too. The process ends here; the group's keys are gone, channel keys expire.
    os._exit(0)
