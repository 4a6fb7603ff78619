"""Client -> server text frames of PROTOCOL.md as typed models (pydantic, a discriminated union
on ``type``): the one source of their shapes, parsed here and published as a JSON Schema,
docs/protocol-messages.schema.json (``DJANGO_SETTINGS_MODULE=virtulingo.settings python -m
conversations.messages > docs/...``, with the default limits; a test keeps it current).

Anything wrong raises ProtocolError with a stable ``code`` and a message for the client; the
socket stays open (a bad frame loses nothing else). Unknown keys are ignored: the Unity client
always sends "text" and "enabled" with end_utterance.
"""

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, TypeAdapter, ValidationError

from conversations.events import EXTENSION_EVENTS
from vocabulary.audio import INPUT_SAMPLE_RATE_MAX, INPUT_SAMPLE_RATE_MIN
from vocabulary.languages import LANGUAGE_NAMES

TEXT_FRAME_MAX_BYTES: int = settings.WS_TEXT_FRAME_MAX_BYTES
TYPED_TEXT_MAX_CHARS: int = settings.TYPED_TEXT_MAX_CHARS
OutputFormat = Literal["wav", "pcm16"]
OUTPUT_FORMATS = get_args(OutputFormat)
# Below 200 ms a breath ends the turn; above 5 s the learner waits too long for an answer.
END_OF_TURN_SILENCE_MS_RANGE = (200, 5000)

if TYPE_CHECKING:
    ExtensionEvent = str
    LanguageCode = str
else:
    # Derived from the one list of each, so pydantic and the schema see the allowed values.
    ExtensionEvent = Literal[tuple(sorted(EXTENSION_EVENTS))]
    LanguageCode = Literal[tuple(LANGUAGE_NAMES)]


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, *, asks_for_turn: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # A rejected `text` message still gets its turn_complete, as every turn message does.
        self.asks_for_turn = asks_for_turn


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class EndUtterance(_Message):
    type: Literal["end_utterance"] = "end_utterance"


class TypedText(_Message):
    type: Literal["text"] = "text"
    text: StrictStr = Field(max_length=TYPED_TEXT_MAX_CHARS)


class Interrupt(_Message):
    type: Literal["interrupt"] = "interrupt"


class Ping(_Message):
    type: Literal["ping"] = "ping"


class SessionConfig(_Message):
    """Only the keys the client sent are set; the rest keep the session's values."""

    type: Literal["config"] = "config"
    input_sample_rate: StrictInt | None = Field(default=None, ge=INPUT_SAMPLE_RATE_MIN, le=INPUT_SAMPLE_RATE_MAX)
    output: OutputFormat | None = None
    events: frozenset[ExtensionEvent] | None = None
    language: LanguageCode | None = None
    end_of_turn_silence_ms: StrictInt | None = Field(  # stream endpoint only
        default=None, ge=END_OF_TURN_SILENCE_MS_RANGE[0], le=END_OF_TURN_SILENCE_MS_RANGE[1]
    )


ClientMessage = Annotated[EndUtterance | TypedText | Interrupt | Ping | SessionConfig, Field(discriminator="type")]
CLIENT_MESSAGE: TypeAdapter[EndUtterance | TypedText | Interrupt | Ping | SessionConfig] = TypeAdapter(ClientMessage)

# What each config key must be, as the client is told.
_CONFIG_RULES = {
    "input_sample_rate": (
        f"input_sample_rate must be an integer from {INPUT_SAMPLE_RATE_MIN} to {INPUT_SAMPLE_RATE_MAX}."
    ),
    "output": f"output must be one of {', '.join(OUTPUT_FORMATS)}.",
    "events": "events must be a list of event names.",
    "language": f"language must be one of {', '.join(LANGUAGE_NAMES)}.",
    "end_of_turn_silence_ms": "end_of_turn_silence_ms must be an integer from {} to {}.".format(
        *END_OF_TURN_SILENCE_MS_RANGE
    ),
}


def client_message_parse(*, text_data: str) -> EndUtterance | TypedText | Interrupt | Ping | SessionConfig:
    if len(text_data.encode("utf-8")) > TEXT_FRAME_MAX_BYTES:
        raise ProtocolError("message_too_large", f"Text frames are limited to {TEXT_FRAME_MAX_BYTES} bytes.")
    try:
        message = json.loads(text_data)
    except json.JSONDecodeError as exc:
        raise ProtocolError("bad_json", f"The message is not valid JSON: {exc.msg} at position {exc.pos}.") from None
    except RecursionError:
        raise ProtocolError("bad_json", "The message is nested too deeply to be read.") from None
    except ValueError:
        # Valid JSON that Python will not read: an integer of more than 4300 digits.
        raise ProtocolError("bad_json", "The message holds a number too long to be read.") from None
    if not isinstance(message, dict):
        raise ProtocolError("bad_message", 'A message must be a JSON object with a "type".')
    try:
        parsed = CLIENT_MESSAGE.validate_python(message)
    except ValidationError as exc:
        raise _protocol_error(message, exc) from None
    if isinstance(parsed, TypedText):
        return parsed.model_copy(update={"text": parsed.text.strip()})
    return parsed


def _protocol_error(message: dict[str, Any], exc: ValidationError) -> ProtocolError:
    error = exc.errors()[0]
    kind = message.get("type")
    if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        return ProtocolError(
            "unknown_message",
            f"Unknown message type {kind!r}; expected end_utterance, text, interrupt, config or ping.",
        )
    if kind == "text":
        if error["type"] == "string_too_long":
            return ProtocolError(
                "message_too_large",
                f"Typed utterances are limited to {TYPED_TEXT_MAX_CHARS} characters.",
                asks_for_turn=True,
            )
        return ProtocolError("bad_message", 'A text message needs a string "text".', asks_for_turn=True)
    field = str(error["loc"][1]) if len(error["loc"]) > 1 else ""
    events = message.get("events")
    if field == "events" and isinstance(events, list) and all(isinstance(name, str) for name in events):
        unknown = sorted(set(events) - EXTENSION_EVENTS)
        return ProtocolError(
            "bad_config", f"Unknown events {', '.join(unknown)}; available: {', '.join(sorted(EXTENSION_EVENTS))}."
        )
    return ProtocolError("bad_config", _CONFIG_RULES.get(field, f"config: {error['msg']}."))


if __name__ == "__main__":
    print(json.dumps(CLIENT_MESSAGE.json_schema(), indent=2, ensure_ascii=False))
