from django.db import models

from vocabulary.languages import LANGUAGE_CHOICES, CEFRLevel


class Scene(models.Model):
    """A place in the game world; its description is the prompt's world context."""

    scene_id = models.SlugField(primary_key=True, max_length=64, help_text="The id the game sends, e.g. bakery.")
    name = models.CharField(max_length=120)
    description = models.TextField(
        help_text="What the NPC knows about this place; injected into its prompt. "
        "NPCs who speak a language this scene has a translation for get the translation."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scene_id"]

    def __str__(self) -> str:
        return self.name

    def text_in(self, language: str) -> tuple[str, str]:
        """The name and description an NPC who speaks ``language`` is told: the translation
        when there is one, else the scene's own (prefetched translations are read, not queried;
        an unsaved scene has none)."""
        translations = () if self._state.adding else self.translations.all()
        for translation in translations:
            if translation.language == language:
                return translation.name, translation.description
        return self.name, self.description


class SceneTranslation(models.Model):
    """A scene in one language, so that an NPC's whole prompt is in the language it speaks."""

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    name = models.CharField(max_length=120)
    description = models.TextField(help_text="The scene's description in this language.")

    class Meta:
        ordering = ["scene_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["scene", "language"], name="npcs_scene_translation_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.scene_id} ({self.language})"


class NPC(models.Model):
    npc_id = models.SlugField(primary_key=True, max_length=64, help_text="The id the game sends, e.g. baker_pierre.")
    name = models.CharField(max_length=120)
    personality = models.TextField(help_text="Traits and manner of speaking, in a few sentences.")
    backstory = models.TextField(blank=True)
    language = models.CharField(
        max_length=8, choices=LANGUAGE_CHOICES, help_text="The language this NPC speaks; learners practise it."
    )
    cefr_level = models.CharField(
        "language complexity",
        max_length=2,
        choices=CEFRLevel.choices,
        default=CEFRLevel.A2,
        help_text="CEFR level of the vocabulary and grammar this NPC uses.",
    )
    emotional_tone = models.CharField(max_length=120, default="friendly", help_text="e.g. warm, grumpy, formal.")
    voice = models.JSONField(
        default=dict,
        blank=True,
        help_text='Voice id per text-to-speech engine, e.g. {"piper": "en_US-joe-medium", "espeak": "fr"}.',
    )
    scene = models.ForeignKey(
        Scene, null=True, blank=True, on_delete=models.SET_NULL, related_name="npcs", verbose_name="home scene"
    )
    greeting = models.TextField(blank=True, help_text="The line the NPC opens a conversation with.")
    price_list = models.JSONField(
        default=list,
        blank=True,
        help_text='What this NPC sells, named in its language, with prices: [{"item": "un croissant", "price": 1.2}]. '
        "Given to the language model as facts, prices formatted in code.",
    )
    currency = models.CharField(max_length=8, default="€", help_text="The symbol of the price list's currency.")
    is_active = models.BooleanField(default=True, help_text="Inactive NPCs refuse new conversations.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "NPC"
        verbose_name_plural = "NPCs"
        ordering = ["npc_id"]
        indexes = [models.Index(fields=["language", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.npc_id})"
