"""WebSocket routes. The conversation consumers register theirs in conversations/routing.py,
the live class dashboard in web/routing.py; any other path ends at UnknownRouteConsumer (an
`error` event and a 4404 close, never a server error)."""

from django.urls import re_path

from conversations.routing import websocket_urlpatterns as conversation_websocket_urlpatterns
from virtulingo.unknown_route import UnknownRouteConsumer
from web.routing import websocket_urlpatterns as web_websocket_urlpatterns

websocket_urlpatterns = [
    *conversation_websocket_urlpatterns,
    *web_websocket_urlpatterns,
    re_path(r"", UnknownRouteConsumer.as_asgi(), name="unknown-websocket-route"),
]
