"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import faulthandler
import os

from django.core.asgi import get_asgi_application

# A fault in an engine's native code then prints the Python stack that called it
# (the engine's name is in it) instead of a bare "Segmentation fault".
faulthandler.enable()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

import threading  # noqa: E402

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from engines.registry import get_registry  # noqa: E402
from virtulingo.daphne_websocket import websocket_oversize_closes, websocket_send_buffer_bound  # noqa: E402
from virtulingo.log_redaction import daphne_access_log_redact  # noqa: E402
from virtulingo.routing import websocket_urlpatterns  # noqa: E402
from virtulingo.server_lifecycle import daphne_lifecycle_install  # noqa: E402
from virtulingo.websocket_origin import NativeClientOrAllowedOriginValidator  # noqa: E402

# Daphne builds its access log and its WebSocket factory after loading this module: no player
# token in the log; a client that stops reading, or sends a frame over Daphne's cap, is answered.
daphne_access_log_redact()
websocket_send_buffer_bound()
websocket_oversize_closes()
# At start, leftover grammar checks are run (no broker); at SIGTERM, sockets close cleanly.
daphne_lifecycle_install()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The session's user in the scope, for the teacher's live dashboard; game clients use tokens.
        "websocket": NativeClientOrAllowedOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

if settings.VIRTULINGO_WARM_UP_ENGINES:
    # The server loads its models once at start-up, in the background, so the first
    # learner does not wait for them and the server answers /health meanwhile.
    threading.Thread(target=get_registry().warmup_sync, name="engine-warmup", daemon=True).start()
