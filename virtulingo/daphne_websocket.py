"""Two WebSocket behaviours of Daphne, changed once per process at import of virtulingo.asgi
(Daphne builds its server after loading the application), as log_redaction.py changes its
access log. Both are about clients that misbehave; docs/RELIABILITY.md, "Slow, fast and
oversized clients", has what a client sees before and after.

- A client that stops reading its socket while replies are sent: Daphne hands every message
  to Twisted, whose write buffer grows without bound. ``websocket_send_buffer_bound`` drops
  the connection once the bytes it has not taken pass ``WS_MAX_BUFFERED_BYTES``, and tells
  the application at once that it disconnected (code ``CLOSE_CLIENT_NOT_READING``), so the
  conversation ends and the learner's words are kept.
- A frame over Daphne's 1 MiB cap: autobahn "fails" the connection by dropping TCP (its
  ``failByDrop`` default), so the client saw a reset and no reason. ``websocket_oversize_closes``
  makes autobahn fail it the way RFC 6455 describes: a close frame with 1009 (Message Too
  Big), the rest of the frame read and thrown away, then the close handshake (or, if the
  client does not answer within autobahn's close-handshake timeout, the drop).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# A private-use code (4000-4999, like 4401/4404/4429): the client did not read its replies.
# It is what the application's disconnect gets; the client itself gets a TCP reset, since a
# close frame would wait behind the bytes it is not reading.
CLOSE_CLIENT_NOT_READING = 4408

_WRAPPED = "_virtulingo_bounds_sends"
_DROPPED = "_virtulingo_dropped_not_reading"


def unsent_bytes(transport: Any) -> int | None:
    """Bytes written to a Twisted TCP transport that the kernel has not taken yet, or None for
    a transport whose buffer cannot be read (then there is no bound).

    Twisted's FileDescriptor keeps written data in ``_tempDataBuffer`` (``_tempDataLen``
    bytes) until a write moves it to ``dataBuffer``, sent up to ``offset``. Over TLS the
    protocol's transport wraps the TCP one (``.transport``): its encrypted bytes wait there."""
    for _ in range(3):
        if transport is None:
            return None
        try:
            return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
        except AttributeError:
            transport = getattr(transport, "transport", None)
    return None


def websocket_send_buffer_bound() -> None:
    """Daphne's ``WebSocketProtocol.serverSend`` (every ``websocket.send`` of the application)
    first checks what the client has left unread; past the bound the client is dropped."""
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # not served by Daphne
        return
    if getattr(WebSocketProtocol.serverSend, _WRAPPED, False):
        return
    original = WebSocketProtocol.serverSend

    def serverSend(self: WebSocketProtocol, content: Any, binary: bool = False) -> None:
        if getattr(self, _DROPPED, False):
            return
        # Checked before this message is added: one reply's audio larger than the bound still
        # reaches a client that reads; the server holds at most the bound and one message.
        unsent = unsent_bytes(self.transport)
        if unsent is not None and unsent > settings.WS_MAX_BUFFERED_BYTES:
            _drop_client_not_reading(self, unsent=unsent)
            return
        original(self, content, binary)

    setattr(serverSend, _WRAPPED, True)
    WebSocketProtocol.serverSend = serverSend  # type: ignore[method-assign]


def _drop_client_not_reading(protocol: Any, *, unsent: int) -> None:
    setattr(protocol, _DROPPED, True)
    logger.warning(
        "Dropped WebSocket client %s on %s: %d bytes of replies not read (limit %d)",
        protocol.client_addr,
        protocol.path.decode("ascii", "replace"),
        unsent,
        settings.WS_MAX_BUFFERED_BYTES,
    )
    # Daphne's own flag for "we closed it": nothing more is read from the client, and its
    # onClose does not send a second disconnect. The application hears now, with our code.
    protocol.muted = True
    protocol.application_queue.put_nowait({"type": "websocket.disconnect", "code": CLOSE_CLIENT_NOT_READING})
    protocol.wasClean = False
    protocol.wasNotCleanReason = f"the client left {unsent} bytes unread"
    # Abort: the buffered bytes are freed now (a TCP reset), not kept until the client reads.
    protocol.dropConnection(abort=True)


def websocket_oversize_closes() -> None:
    """Daphne's WebSocket factory fails a connection with a close frame (1009 for a frame or
    message over its cap) instead of dropping TCP."""
    try:
        from daphne.ws_protocol import WebSocketFactory
    except ImportError:  # not served by Daphne
        return
    if getattr(WebSocketFactory.setProtocolOptions, _WRAPPED, False):
        return
    original = WebSocketFactory.setProtocolOptions

    def setProtocolOptions(self: WebSocketFactory, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("failByDrop", False)
        original(self, *args, **kwargs)

    setattr(setProtocolOptions, _WRAPPED, True)
    WebSocketFactory.setProtocolOptions = setProtocolOptions  # type: ignore[method-assign]
