import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

from virtulingo.websocket_origin import NativeClientOrAllowedOriginValidator


class AcceptingConsumer(AsyncWebsocketConsumer):
    """Test double standing for the conversation consumers behind the validator."""

    async def connect(self):
        await self.accept()


pytestmark = pytest.mark.django_db  # Channels closes stale database connections around each event


async def _connects(headers: list[tuple[bytes, bytes]]) -> bool:
    application = NativeClientOrAllowedOriginValidator(AcceptingConsumer.as_asgi())
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


@pytest.mark.asyncio
async def test_native_client_without_origin_is_allowed():
    assert await _connects([]) is True


@pytest.mark.asyncio
async def test_browser_from_an_allowed_host_is_allowed():
    assert await _connects([(b"origin", b"http://localhost:8000")]) is True


@pytest.mark.asyncio
async def test_browser_from_another_site_is_refused():
    assert await _connects([(b"origin", b"https://evil.example")]) is False
