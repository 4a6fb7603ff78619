"""WebSocket routes. The conversation consumers register theirs in conversations/routing.py."""

from conversations.routing import websocket_urlpatterns as conversation_websocket_urlpatterns

websocket_urlpatterns = [*conversation_websocket_urlpatterns]
