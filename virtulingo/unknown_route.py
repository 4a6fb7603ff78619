"""A WebSocket path that matches no route: accepted, told why (`error` event, code
``unknown_route``) and closed with 4404, instead of Channels' "No route found" exception
(an HTTP 500 to the client and a traceback in the log)."""

import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from conversations.events import error_event
from virtulingo.log_redaction import redact

logger = logging.getLogger(__name__)

CLOSE_UNKNOWN_ROUTE = 4404


class UnknownRouteConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        path = self.scope.get("path", "")
        logger.info("WebSocket to unknown path %s refused (4404)", redact(path))
        # Daphne turns a close before accept into a bare 403: accept, then explain and close.
        await self.accept()
        await self.send_json(
            error_event(code="unknown_route", message=f"There is no WebSocket endpoint at {path!r} (see PROTOCOL.md).")
        )
        await self.close(code=CLOSE_UNKNOWN_ROUTE)

    async def receive_json(self, content, **kwargs) -> None:  # nothing is read after the close
        return
