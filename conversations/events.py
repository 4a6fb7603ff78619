"""Server -> client events of PROTOCOL.md: the one place their shapes are written.

Every text frame is a JSON object (the Unity client treats a frame that starts
with `{` as JSON and anything else as audio).
"""

from typing import Any

# Extension events a client may ask for in `config.events`.
EXTENSION_EVENTS = frozenset({"npc_text_delta", "metrics", "transcription_partial", "speech_started", "speech_stopped"})


def error_event(*, code: str, message: str) -> dict[str, Any]:
    # The Unity client reads `text`; `message` carries the same string for everyone else.
    return {"type": "error", "code": code, "message": message, "text": message}


def transcription_event(*, text: str, turn_id: str, language: str) -> dict[str, Any]:
    return {"type": "transcription", "text": text, "turn_id": turn_id, "language": language}


def transcription_partial_event(*, text: str) -> dict[str, Any]:
    return {"type": "transcription_partial", "text": text}


def npc_text_delta_event(*, text: str, turn_id: str) -> dict[str, Any]:
    return {"type": "npc_text_delta", "text": text, "turn_id": turn_id}


def npc_text_event(*, text: str, turn_id: str) -> dict[str, Any]:
    return {"type": "npc_text", "text": text, "turn_id": turn_id}


def audio_start_event(*, sample_rate: int) -> dict[str, Any]:
    return {"type": "audio_start", "sample_rate": sample_rate, "encoding": "pcm16"}


def metrics_event(*, turn_id: str, stage: str, ms: int) -> dict[str, Any]:
    """A stage of the turn is done (live progress; the totals come with turn_complete)."""
    return {"type": "metrics", "turn_id": turn_id, "stage": stage, "ms": ms}


def turn_complete_event(*, turn_id: str, metrics: dict[str, Any], interrupted: bool = False) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "turn_complete", "turn_id": turn_id, "metrics": metrics}
    if interrupted:
        event["interrupted"] = True
    return event


def speech_started_event() -> dict[str, Any]:
    return {"type": "speech_started"}


def speech_stopped_event() -> dict[str, Any]:
    return {"type": "speech_stopped"}


def pong_event() -> dict[str, Any]:
    return {"type": "pong"}


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
    return {
        "type": "grammar_correction",
        "player_id": player_id,
        "data": {
            "mistake_found": True,
            "category": worst["category"],
            "original": original,
            "correction": correction,
            "explanation": worst["explanation"],
            "severity": worst["severity"],
            "turn_id": turn_id,
            "edits": edits,
        },
        "timestamp": timestamp,
    }
