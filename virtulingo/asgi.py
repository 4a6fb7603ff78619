"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from virtulingo.routing import websocket_urlpatterns  # noqa: E402
from virtulingo.websocket_origin import NativeClientOrAllowedOriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": NativeClientOrAllowedOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
