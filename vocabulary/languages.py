"""Languages and CEFR levels shared by NPCs, players and prompts."""

from django.db import models

# Prompts name the language ("reply only in French"): small models follow a name
# far better than an ISO code.
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}

LANGUAGE_CHOICES = [(code, name) for code, name in LANGUAGE_NAMES.items()]


class CEFRLevel(models.TextChoices):
    A1 = "A1", "A1 (beginner)"
    A2 = "A2", "A2 (elementary)"
    B1 = "B1", "B1 (intermediate)"
    B2 = "B2", "B2 (upper intermediate)"
    C1 = "C1", "C1 (advanced)"
    C2 = "C2", "C2 (proficient)"


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
