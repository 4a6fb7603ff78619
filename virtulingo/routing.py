"""WebSocket routes. The conversation consumers register theirs in conversations/routing.py,
the live class dashboard in web/routing.py."""

from conversations.routing import websocket_urlpatterns as conversation_websocket_urlpatterns
from web.routing import websocket_urlpatterns as web_websocket_urlpatterns

websocket_urlpatterns = [*conversation_websocket_urlpatterns, *web_websocket_urlpatterns]
