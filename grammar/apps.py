from django.apps import AppConfig


class GrammarConfig(AppConfig):
    name = "grammar"
