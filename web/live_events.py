"""The class dashboard's live events (a teacher's browser, `/teach/classes/<id>/live`), typed
once here; their JSON Schema is docs/dashboard-events.schema.json (`python -m web.live_events`)."""

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class LiveEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    player_id: str
    player_name: str
    timestamp: str  # ISO 8601


class ConversationTurnLiveEvent(LiveEvent):
    """A learner said something to an NPC (who is talking to whom right now)."""

    type: Literal["conversation_turn"] = "conversation_turn"
    npc_id: str
    npc_name: str
    turn_id: str
    text: str


class GrammarCorrectionLiveEvent(LiveEvent):
    """A learner's utterance was corrected: its active mistakes' categories, most severe first."""

    type: Literal["grammar_correction"] = "grammar_correction"
    original: str
    correction: str
    categories: list[str]


LIVE_EVENT: TypeAdapter[ConversationTurnLiveEvent | GrammarCorrectionLiveEvent] = TypeAdapter(
    Annotated[ConversationTurnLiveEvent | GrammarCorrectionLiveEvent, Field(discriminator="type")]
)


def live_events_schema() -> dict[str, Any]:
    """The dashboard socket's events (docs/dashboard-events.schema.json; a test keeps it current)."""
    return LIVE_EVENT.json_schema()


if __name__ == "__main__":
    print(json.dumps(live_events_schema(), indent=2, ensure_ascii=False))
