from django.apps import AppConfig


class PlayersConfig(AppConfig):
    name = "players"

    def ready(self) -> None:
        from players import schema  # noqa: F401  (registers the player token with drf-spectacular)
