from django.apps import AppConfig


class GrammarConfig(AppConfig):
    name = "grammar"

    def ready(self) -> None:
        from grammar import receivers  # noqa: F401  (connects the turn_recorded receiver)
