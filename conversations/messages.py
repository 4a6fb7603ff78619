"""Client -> server text frames of PROTOCOL.md, parsed into typed messages.

Anything wrong raises ProtocolError with a stable `code` and a message for the
client; the socket stays open (a bad frame loses nothing else).
"""

import json
from dataclasses import dataclass

from conversations.events import EXTENSION_EVENTS
from vocabulary.audio import INPUT_SAMPLE_RATE_MAX, INPUT_SAMPLE_RATE_MIN
from vocabulary.languages import LANGUAGE_NAMES

TEXT_FRAME_MAX_BYTES = 64 * 1024
TYPED_TEXT_MAX_CHARS = 1000
OUTPUT_FORMATS = ("wav", "pcm16")
# Below 200 ms a breath ends the turn; above 5 s the learner waits too long for an answer.
END_OF_TURN_SILENCE_MS_RANGE = (200, 5000)


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, *, asks_for_turn: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # A rejected `text` message still gets its turn_complete, as every turn message does.
        self.asks_for_turn = asks_for_turn


@dataclass(frozen=True)
class EndUtterance:
    pass


@dataclass(frozen=True)
class TypedText:
    text: str


@dataclass(frozen=True)
class Interrupt:
    pass


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True)
class SessionConfig:
    """Only the keys the client sent are set; the rest keep the session's values."""

    input_sample_rate: int | None = None
    output: str | None = None
    events: frozenset[str] | None = None
    language: str | None = None
    end_of_turn_silence_ms: int | None = None  # stream endpoint only


ClientMessage = EndUtterance | TypedText | Interrupt | Ping | SessionConfig


def client_message_parse(*, text_data: str) -> ClientMessage:
    if len(text_data.encode("utf-8")) > TEXT_FRAME_MAX_BYTES:
        raise ProtocolError("message_too_large", f"Text frames are limited to {TEXT_FRAME_MAX_BYTES} bytes.")
    try:
        message = json.loads(text_data)
    except json.JSONDecodeError as exc:
        raise ProtocolError("bad_json", f"The message is not valid JSON: {exc.msg} at position {exc.pos}.") from None
    except RecursionError:
        raise ProtocolError("bad_json", "The message is nested too deeply to be read.") from None
    if not isinstance(message, dict):
        raise ProtocolError("bad_message", 'A message must be a JSON object with a "type".')
    kind = message.get("type")
    # Unknown keys are ignored: the Unity client always sends "text" and "enabled" too.
    if kind == "end_utterance":
        return EndUtterance()
    if kind == "text":
        return _typed_text(message)
    if kind == "interrupt":
        return Interrupt()
    if kind == "ping":
        return Ping()
    if kind == "config":
        return _session_config(message)
    raise ProtocolError(
        "unknown_message",
        f"Unknown message type {kind!r}; expected end_utterance, text, interrupt, config or ping.",
    )


def _typed_text(message: dict) -> TypedText:
    text = message.get("text")
    if not isinstance(text, str):
        raise ProtocolError("bad_message", 'A text message needs a string "text".', asks_for_turn=True)
    if len(text) > TYPED_TEXT_MAX_CHARS:
        raise ProtocolError(
            "message_too_large",
            f"Typed utterances are limited to {TYPED_TEXT_MAX_CHARS} characters.",
            asks_for_turn=True,
        )
    return TypedText(text=text.strip())


def _session_config(message: dict) -> SessionConfig:
    values: dict = {}
    if "input_sample_rate" in message:
        rate = message["input_sample_rate"]
        if (
            isinstance(rate, bool)
            or not isinstance(rate, int)
            or not INPUT_SAMPLE_RATE_MIN <= rate <= INPUT_SAMPLE_RATE_MAX
        ):
            raise ProtocolError(
                "bad_config",
                f"input_sample_rate must be an integer from {INPUT_SAMPLE_RATE_MIN} to {INPUT_SAMPLE_RATE_MAX}.",
            )
        values["input_sample_rate"] = rate
    if "output" in message:
        if message["output"] not in OUTPUT_FORMATS:
            raise ProtocolError("bad_config", f"output must be one of {', '.join(OUTPUT_FORMATS)}.")
        values["output"] = message["output"]
    if "events" in message:
        events = message["events"]
        if not isinstance(events, list) or not all(isinstance(name, str) for name in events):
            raise ProtocolError("bad_config", "events must be a list of event names.")
        unknown = sorted(set(events) - EXTENSION_EVENTS)
        if unknown:
            raise ProtocolError(
                "bad_config",
                f"Unknown events {', '.join(unknown)}; available: {', '.join(sorted(EXTENSION_EVENTS))}.",
            )
        values["events"] = frozenset(events)
    if "language" in message:
        if message["language"] not in LANGUAGE_NAMES:
            raise ProtocolError("bad_config", f"language must be one of {', '.join(LANGUAGE_NAMES)}.")
        values["language"] = message["language"]
    if "end_of_turn_silence_ms" in message:
        silence = message["end_of_turn_silence_ms"]
        low, high = END_OF_TURN_SILENCE_MS_RANGE
        if isinstance(silence, bool) or not isinstance(silence, int) or not low <= silence <= high:
            raise ProtocolError("bad_config", f"end_of_turn_silence_ms must be an integer from {low} to {high}.")
        values["end_of_turn_silence_ms"] = silence
    return SessionConfig(**values)
