from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vocabulary.languages import LANGUAGE_CHOICES, CEFRLevel


class Player(models.Model):
    player_id = models.SlugField(unique=True, max_length=64, help_text="The id the game sends.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="player"
    )
    display_name = models.CharField(max_length=120, blank=True)
    target_language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    native_language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    proficiency_level = models.CharField(max_length=2, choices=CEFRLevel.choices, default=CEFRLevel.A2)
    # SHA-256 of the API token: tokens are random and long, so a fast hash is enough
    # and the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["player_id"]

    def __str__(self) -> str:
        return self.display_name or self.player_id

    @property
    def has_token(self) -> bool:
        return bool(self.token_hash)


class Relationship(models.Model):
    """How an NPC feels about a player, from -1 (hostile) to 1 (close friend)."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="relationships")
    npc = models.ForeignKey("npcs.NPC", on_delete=models.CASCADE, related_name="relationships")
    score = models.FloatField(default=0.0, validators=[MinValueValidator(-1.0), MaxValueValidator(1.0)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["player", "npc"], name="relationship_unique_player_npc"),
            models.CheckConstraint(
                condition=models.Q(score__gte=-1.0) & models.Q(score__lte=1.0), name="relationship_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.player} - {self.npc}: {self.score:+.2f}"


class Classroom(models.Model):
    name = models.CharField(max_length=120)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classrooms")
    learners = models.ManyToManyField(Player, blank=True, related_name="classrooms")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["teacher", "name"], name="classroom_unique_name_per_teacher")]

    def __str__(self) -> str:
        return self.name
