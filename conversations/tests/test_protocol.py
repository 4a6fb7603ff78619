"""The typed server events: the one source of their shapes, their published JSON Schema, and
the check every socket test applies to what it receives."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from conversations import events
from conversations.messages import CLIENT_MESSAGE
from conversations.protocol import server_event_validate, server_events_schema

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA_FILE = DOCS / "protocol-events.schema.json"


def test_the_published_schema_is_the_models_schema():
    published = json.loads(SCHEMA_FILE.read_text())
    assert published == server_events_schema(), (
        "docs/protocol-events.schema.json is out of date: python -m conversations.protocol > "
        "docs/protocol-events.schema.json"
    )


def test_the_published_client_message_schema_is_the_models_schema():
    published = json.loads((DOCS / "protocol-messages.schema.json").read_text())
    assert published == CLIENT_MESSAGE.json_schema(), (
        "docs/protocol-messages.schema.json is out of date: DJANGO_SETTINGS_MODULE=virtulingo.settings "
        "python -m conversations.messages > "
        "docs/protocol-messages.schema.json"
    )


def test_the_bytes_the_unity_client_reads_are_unchanged():
    # Field names and order as the Unity client has always received them.
    assert json.dumps(events.error_event(code="bad_json", message="Not JSON.")) == (
        '{"type": "error", "code": "bad_json", "message": "Not JSON.", "text": "Not JSON."}'
    )
    assert json.dumps(events.turn_complete_event(turn_id="t1", metrics={"total_ms": 5})) == (
        '{"type": "turn_complete", "turn_id": "t1", "metrics": {"total_ms": 5}}'
    )
    assert json.dumps(events.turn_complete_event(turn_id="t1", metrics={}, interrupted=True)).endswith(
        '"interrupted": true}'
    )
    correction = events.grammar_correction_event(
        player_id="ana",
        turn_id=None,
        original="She go.",
        correction="She goes.",
        edits=[{"category": "verb_conjugation", "explanation": "Use goes.", "severity": 2}],
        timestamp="2026-12-01T00:00:00Z",
    )
    assert list(correction) == ["type", "player_id", "data", "timestamp"]
    assert list(correction["data"]) == [
        "mistake_found", "category", "original", "correction", "explanation", "severity", "turn_id", "edits",
    ]  # fmt: skip
    assert correction["data"]["turn_id"] is None


@pytest.mark.parametrize(
    "drifted",
    [
        {"type": "npc_text", "text": "Hi", "turn": "t1"},  # a renamed field
        {"type": "npc_text", "text": "Hi", "turn_id": "t1", "extra": 1},  # a field nobody documented
        {"type": "transcription", "text": "Hi", "turn_id": "t1"},  # a missing field
        {"type": "npc_said", "text": "Hi", "turn_id": "t1"},  # an unknown event
        {"type": "turn_complete", "turn_id": "t1", "metrics": {}, "interrupted": None},  # null instead of absent
    ],
)
def test_an_event_that_drifts_from_the_protocol_fails_the_check(drifted):
    with pytest.raises((ValidationError, ValueError)):
        server_event_validate(drifted)


def test_every_event_the_server_builds_passes_the_check():
    built = [
        events.error_event(code="c", message="m"),
        events.transcription_event(text="t", turn_id="1", language="en"),
        events.transcription_partial_event(text="t"),
        events.npc_text_delta_event(text="t", turn_id="1"),
        events.npc_text_event(text="t", turn_id="1"),
        events.audio_start_event(sample_rate=22050),
        events.metrics_event(turn_id="1", stage="stt", ms=3),
        events.turn_complete_event(turn_id="1", metrics={}),
        events.speech_started_event(),
        events.speech_stopped_event(),
        events.pong_event(),
    ]
    for event in built:
        server_event_validate(event)
    assert {event["type"] for event in built} | {"grammar_correction"} == set(
        server_events_schema()["discriminator"]["mapping"]
    )
