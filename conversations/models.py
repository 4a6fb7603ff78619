import uuid

from django.db import models

from vocabulary.languages import LANGUAGE_CHOICES


class Conversation(models.Model):
    """One socket's session between a player and an NPC: starts on connect, ends on close."""

    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="conversations")
    npc = models.ForeignKey("npcs.NPC", on_delete=models.CASCADE, related_name="conversations")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["player", "npc", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.player} with {self.npc} at {self.started_at:%Y-%m-%d %H:%M}"


class Turn(models.Model):
    class InputMode(models.TextChoices):
        SPEECH = "speech"
        TEXT = "text"

    class Status(models.TextChoices):
        COMPLETED = "completed"
        INTERRUPTED = "interrupted"
        FAILED = "failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField(help_text="0-based position in the conversation.")
    # The turn_id sent to the client in every event of the turn.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    input_mode = models.CharField(max_length=8, choices=InputMode.choices, default=InputMode.SPEECH)
    transcript = models.TextField(blank=True)
    npc_reply = models.TextField(blank=True)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    audio_in_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Length of the spoken utterance.")
    metrics = models.JSONField(default=dict, blank=True, help_text="Per-stage latencies in milliseconds.")
    engines = models.JSONField(default=dict, blank=True, help_text="Engine used per stage (stt, llm, tts).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.COMPLETED)
    error_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "index"]
        constraints = [models.UniqueConstraint(fields=["conversation", "index"], name="turn_unique_index")]

    def __str__(self) -> str:
        return f"Turn {self.index} of {self.conversation_id}"
