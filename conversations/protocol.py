"""The server -> client events of docs/PROTOCOL.md as typed models: the one source of their
shapes. events.py builds every event through them, the socket tests check every event they
receive against them, and their JSON Schema is published as docs/protocol-events.schema.json
(``python -m conversations.protocol > docs/protocol-events.schema.json``; a test keeps it current).

Field order is the wire order: the Unity client reads these objects, so a field's name, order
and presence never change by accident.
"""

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorEvent(_Event):
    type: Literal["error"] = "error"
    code: str
    message: str
    text: str = Field(description="The same as message: the Unity client reads text.")


class TranscriptionEvent(_Event):
    type: Literal["transcription"] = "transcription"
    text: str
    turn_id: str
    language: str


class TranscriptionPartialEvent(_Event):
    type: Literal["transcription_partial"] = "transcription_partial"
    text: str


class NpcTextDeltaEvent(_Event):
    type: Literal["npc_text_delta"] = "npc_text_delta"
    text: str
    turn_id: str


class NpcTextEvent(_Event):
    type: Literal["npc_text"] = "npc_text"
    text: str
    turn_id: str


class AudioStartEvent(_Event):
    type: Literal["audio_start"] = "audio_start"
    sample_rate: int
    encoding: Literal["pcm16"] = "pcm16"


class MetricsEvent(_Event):
    type: Literal["metrics"] = "metrics"
    turn_id: str
    stage: str
    ms: int


class TurnCompleteEvent(_Event):
    type: Literal["turn_complete"] = "turn_complete"
    turn_id: str
    metrics: dict[str, Any]
    interrupted: Literal[True] | None = Field(default=None, description="Present (true) only when interrupted.")


class SpeechStartedEvent(_Event):
    type: Literal["speech_started"] = "speech_started"


class SpeechStoppedEvent(_Event):
    type: Literal["speech_stopped"] = "speech_stopped"


class PongEvent(_Event):
    type: Literal["pong"] = "pong"


class GrammarCorrectionData(_Event):
    mistake_found: Literal[True] = True
    category: str
    original: str
    correction: str
    explanation: str
    severity: int
    turn_id: str | None
    edits: list[dict[str, Any]]


class GrammarCorrectionEvent(_Event):
    type: Literal["grammar_correction"] = "grammar_correction"
    player_id: str
    data: GrammarCorrectionData
    timestamp: str


ServerEvent = Annotated[
    ErrorEvent
    | TranscriptionEvent
    | TranscriptionPartialEvent
    | NpcTextDeltaEvent
    | NpcTextEvent
    | AudioStartEvent
    | MetricsEvent
    | TurnCompleteEvent
    | SpeechStartedEvent
    | SpeechStoppedEvent
    | PongEvent
    | GrammarCorrectionEvent,
    Field(discriminator="type"),
]
SERVER_EVENT = TypeAdapter(ServerEvent)

# Optional fields that are left out of the JSON when unset (rather than sent as null).
_OMITTED_WHEN_NONE = {"interrupted"}


def event_to_json(event: _Event) -> dict[str, Any]:
    """The event as the JSON object sent on the wire."""
    data = event.model_dump(mode="json")
    return {key: value for key, value in data.items() if not (key in _OMITTED_WHEN_NONE and value is None)}


def server_event_validate(data: dict[str, Any]) -> None:
    """Raise pydantic's ValidationError unless ``data`` is exactly one of the events above."""
    event = SERVER_EVENT.validate_python(data)
    if event_to_json(event) != data:
        raise ValueError(f"{data!r} does not round-trip through its model: {event_to_json(event)!r}")


def server_events_schema() -> dict[str, Any]:
    return SERVER_EVENT.json_schema()


if __name__ == "__main__":
    print(json.dumps(server_events_schema(), indent=2, ensure_ascii=False))
