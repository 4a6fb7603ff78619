"""The OpenAPI description of the player token (drf-spectacular), imported by PlayersConfig.ready."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PlayerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "players.authentication.PlayerTokenAuthentication"
    name = "playerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The player's API token (or ?token= in the URL, for clients that cannot set headers).",
        }
