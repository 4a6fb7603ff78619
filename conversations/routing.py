"""WebSocket routes of the conversation consumers (PROTOCOL.md endpoints; a trailing slash is tolerated)."""

from django.urls import re_path

from conversations.consumers import ConversationConsumer, StreamConversationConsumer

_SLUG = r"[A-Za-z0-9_-]{1,64}"

websocket_urlpatterns = [
    re_path(
        rf"^api/conversations/ws/stream/(?P<player_id>{_SLUG})/(?P<npc_id>{_SLUG})/?$",
        StreamConversationConsumer.as_asgi(),
        name="conversation-stream-ws",
    ),
    re_path(
        rf"^api/conversations/ws/(?P<player_id>{_SLUG})/(?P<npc_id>{_SLUG})/?$",
        ConversationConsumer.as_asgi(),
        name="conversation-ws",
    ),
]
