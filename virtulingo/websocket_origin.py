"""Origin rule of PROTOCOL.md: no Origin header means a native client (the Unity
client sends none) and is allowed; a browser's Origin must be an allowed host."""

from channels.security.websocket import OriginValidator
from django.conf import settings


class _NativeClientOrAllowedOrigin(OriginValidator):
    def valid_origin(self, parsed_origin) -> bool:
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def NativeClientOrAllowedOriginValidator(application):  # noqa: N802 - mirrors Channels' factory name
    return _NativeClientOrAllowedOrigin(application, settings.ALLOWED_HOSTS)
