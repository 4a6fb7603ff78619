"""Mass disconnect: several hundred sockets close at once, each leaving its player's group on
the real Redis channel layer of the settings (in a process of its own: mass_disconnect.py);
and a group_discard that fails never stops a consumer's disconnect."""

import asyncio
import json
import socket
import subprocess
import sys

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from conversations.channel_groups import group_discard_quietly

pytestmark = pytest.mark.usefixtures("redis_test_db")

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")

SOCKETS = 500
GROUP = "player.mass-disconnect"
# A bound on the waits, never a measured time.
BOUND_SECONDS = 120


@needs_redis
def test_several_hundred_sockets_closing_at_once_all_leave_their_group():
    address = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"]
    run = subprocess.run(
        [sys.executable, "-m", "conversations.tests.mass_disconnect", address, str(SOCKETS), str(BOUND_SECONDS)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=3 * BOUND_SECONDS,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    summary.pop("tasks_still_running")  # channels_redis's teardown, not ours (docs/RELIABILITY.md)
    # Every socket joined, every consumer ended, every membership removed (no
    # MaxConnectionsError, no retry given up), and the group is empty.
    assert summary == {"joined": SOCKETS, "ended": SOCKETS, "left": SOCKETS, "remaining": 0}, run.stderr[-3000:]


@needs_redis
@pytest.mark.asyncio
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


@pytest.mark.asyncio
async def test_a_failing_group_discard_is_retried_then_given_up_without_raising(caplog):
    down = RedisChannelLayer(hosts=[{"address": f"redis://127.0.0.1:{_closed_port()}/0", "socket_connect_timeout": 1}])
    assert await asyncio.wait_for(group_discard_quietly(down, GROUP, "specific.abc!def"), BOUND_SECONDS) is False
    assert "could not remove specific.abc!def" in caplog.text


@pytest.mark.asyncio
async def test_a_group_discard_that_fails_once_is_retried():
    class FlakyLayer:
        calls = 0

        async def group_discard(self, group, channel):
            FlakyLayer.calls += 1
            if FlakyLayer.calls == 1:
                raise ConnectionError("Too many connections")

    assert await group_discard_quietly(FlakyLayer(), GROUP, "specific.x") is True
    assert FlakyLayer.calls == 2
