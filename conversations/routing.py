"""WebSocket routes of the conversation consumers (PROTOCOL.md endpoints)."""

# The push-to-talk and hands-free consumers are added with the voice loop (issue 4).
websocket_urlpatterns: list = []
