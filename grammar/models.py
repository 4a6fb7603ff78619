from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from grammar.scheduling import INITIAL_EASE, MIN_EASE
from vocabulary.languages import LANGUAGE_CHOICES, CEFRLevel
from vocabulary.taxonomy import MistakeCategory


class GrammarCheck(models.Model):
    """One checked utterance: a turn's transcript or a REST check.

    Unique per turn: that is the idempotency key that stops a retried or duplicated
    task from storing or pushing anything twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"
        UNAVAILABLE = "unavailable", "Unavailable (no engine for this language)"

    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="grammar_checks")
    turn = models.OneToOneField(
        "conversations.Turn", null=True, blank=True, on_delete=models.CASCADE, related_name="grammar_check"
    )
    utterance = models.TextField(help_text="Exactly what the learner said (raw transcript).")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    level = models.CharField(max_length=2, choices=CEFRLevel.choices, blank=True, help_text="Learner level then.")
    engine = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    corrected_utterance = models.TextField(blank=True)
    error = models.TextField(blank=True, help_text="Why the check failed or is unavailable.")
    attempts = models.PositiveSmallIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Time the engine took.")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set once the correction was pushed to the player's sockets, so a redelivered task never pushes twice.
    pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["player", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} check of {self.utterance[:40]!r}"


class Mistake(models.Model):
    """One distinct error found by a check."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        REJECTED = "rejected", "Rejected (false positive)"

    grammar_check = models.ForeignKey(GrammarCheck, on_delete=models.CASCADE, related_name="mistakes")
    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="mistakes")
    category = models.CharField(max_length=24, choices=MistakeCategory.choices)
    original = models.CharField(max_length=500, help_text="The erroneous span.")
    correction = models.CharField(max_length=500, blank=True, help_text="What the span should be.")
    explanation = models.TextField(blank=True)
    severity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__gte=1) & models.Q(severity__lte=5), name="mistake_severity_range"
            ),
            models.UniqueConstraint(
                fields=["grammar_check", "category", "original", "correction"], name="mistake_unique_per_check"
            ),
        ]
        indexes = [models.Index(fields=["player", "status", "category"])]

    def __str__(self) -> str:
        return f"{self.category}: {self.original!r} -> {self.correction!r}"


class ReviewItem(models.Model):
    """A mistake scheduled for spaced review; the fields are grammar.scheduling's SM-2 state.

    Rejected mistakes keep their item (its history stays) but leave the queue: the
    selectors only read items of active mistakes.
    """

    mistake = models.OneToOneField(Mistake, on_delete=models.CASCADE, related_name="review_item")
    # Copied from the mistake so that "what is due for this player" is one indexed query.
    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="review_items")
    due_at = models.DateTimeField()
    interval_days = models.PositiveIntegerField(default=0)
    ease = models.FloatField(default=INITIAL_EASE)
    repetitions = models.PositiveIntegerField(default=0, help_text="Successful reviews in a row.")
    lapses = models.PositiveIntegerField(default=0, help_text="Failed reviews.")
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ease__gte=MIN_EASE), name="review_item_min_ease")]
        indexes = [models.Index(fields=["player", "due_at"])]

    def __str__(self) -> str:
        return f"Review of {self.mistake} due {self.due_at:%Y-%m-%d}"
