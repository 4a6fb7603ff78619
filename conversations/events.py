"""Server -> client events of PROTOCOL.md, built through their typed models (protocol.py).

Every text frame is a JSON object (the Unity client treats a frame that starts
with `{` as JSON and anything else as audio).
"""

from typing import Any

from conversations.protocol import (
    AudioStartEvent,
    ErrorEvent,
    GrammarCorrectionData,
    GrammarCorrectionEvent,
    MetricsEvent,
    NpcTextDeltaEvent,
    NpcTextEvent,
    PongEvent,
    SpeechStartedEvent,
    SpeechStoppedEvent,
    TranscriptionEvent,
    TranscriptionPartialEvent,
    TurnCompleteEvent,
    event_to_json,
)

# Extension events a client may ask for in `config.events`.
EXTENSION_EVENTS = frozenset({"npc_text_delta", "metrics", "transcription_partial", "speech_started", "speech_stopped"})


def error_event(*, code: str, message: str) -> dict[str, Any]:
    # The Unity client reads `text`; `message` carries the same string for everyone else.
    return event_to_json(ErrorEvent(code=code, message=message, text=message))


def transcription_event(*, text: str, turn_id: str, language: str) -> dict[str, Any]:
    return event_to_json(TranscriptionEvent(text=text, turn_id=turn_id, language=language))


def transcription_partial_event(*, text: str) -> dict[str, Any]:
    return event_to_json(TranscriptionPartialEvent(text=text))


def npc_text_delta_event(*, text: str, turn_id: str) -> dict[str, Any]:
    return event_to_json(NpcTextDeltaEvent(text=text, turn_id=turn_id))


def npc_text_event(*, text: str, turn_id: str) -> dict[str, Any]:
    return event_to_json(NpcTextEvent(text=text, turn_id=turn_id))


def audio_start_event(*, sample_rate: int) -> dict[str, Any]:
    return event_to_json(AudioStartEvent(sample_rate=sample_rate))


def metrics_event(*, turn_id: str, stage: str, ms: int) -> dict[str, Any]:
    """A stage of the turn is done (live progress; the totals come with turn_complete)."""
    return event_to_json(MetricsEvent(turn_id=turn_id, stage=stage, ms=ms))


def turn_complete_event(*, turn_id: str, metrics: dict[str, Any], interrupted: bool = False) -> dict[str, Any]:
    return event_to_json(TurnCompleteEvent(turn_id=turn_id, metrics=metrics, interrupted=True if interrupted else None))


def speech_started_event() -> dict[str, Any]:
    return event_to_json(SpeechStartedEvent())


def speech_stopped_event() -> dict[str, Any]:
    return event_to_json(SpeechStoppedEvent())


def pong_event() -> dict[str, Any]:
    return event_to_json(PongEvent())


def player_group_name(*, player_id: str) -> str:
    """The channel-layer group of every open socket of a player (in any server process)."""
    return f"player.{player_id}"


def grammar_correction_event(
    *,
    player_id: str,
    turn_id: str | None,
    original: str,
    correction: str,
    edits: list[dict[str, Any]],
    timestamp: str,
) -> dict[str, Any]:
    """One checked utterance with mistakes. The Unity client reads mistake_found, category,
    original, correction, explanation and severity: those of the most severe error."""
    worst = max(edits, key=lambda edit: edit["severity"])
    data = GrammarCorrectionData(
        category=worst["category"],
        original=original,
        correction=correction,
        explanation=worst["explanation"],
        severity=worst["severity"],
        turn_id=turn_id,
        edits=edits,
    )
    return event_to_json(GrammarCorrectionEvent(player_id=player_id, data=data, timestamp=timestamp))
