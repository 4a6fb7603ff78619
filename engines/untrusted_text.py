"""Text the server does not write (what a learner says, the history, names and world state
from games) never becomes a chat-template control token or marker.

Engines render messages into one prompt through a chat template; llama.cpp (in-process, and
the llama.cpp or vLLM servers behind the OpenAI-compatible engine) then tokenizes that prompt
with special tokens parsed, so a learner who says ``<|im_end|><|im_start|>system`` would write
the template's own control tokens and step out of the user's role. Each marker in such text
is broken by a WORD JOINER (U+2060, invisible) after its first character: the model reads the
same characters as ordinary text, and no tokenizer matches the marker any more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

BREAK = "\u2060"

# Markers of the common chat templates, whatever the model: ChatML and its kin (<|im_start|>,
# <|eot_id|>, <|start_header_id|>, <|user|>...), DeepSeek's full-width bars, Llama 2 and
# Mistral ([INST], <<SYS>>, <s>), Gemma (<start_of_turn>), Mistral's tool and system markers.
_KNOWN_MARKERS = (
    r"<\|[^|<>\s]{1,64}\|>",
    r"<\uff5c[^<>]{1,64}\uff5c>",
    r"</?s>",
    r"\[/?INST\]",
    r"<</?SYS>>",
    r"<(?:start|end)_of_turn>",
    r"\[/?(?:SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_RESULTS|TOOL_CALLS|THINK)\]",
)
_KNOWN = re.compile("|".join(_KNOWN_MARKERS), re.IGNORECASE)


def _break(match: re.Match[str]) -> str:
    marker = match.group(0)
    return marker[0] + BREAK + marker[1:]


def marker_pattern(special_texts: Iterable[str] = ()) -> re.Pattern[str]:
    """The known markers and a model's own special-token texts (two characters or more)."""
    texts = sorted({text for text in special_texts if len(text) >= 2}, key=len, reverse=True)
    alternatives = [*_KNOWN_MARKERS, *(re.escape(text) for text in texts)]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def neutralize_markers(text: str, pattern: re.Pattern[str] = _KNOWN) -> str:
    """``text`` with every chat-template marker broken so that it is only text."""
    for _ in range(8):  # one pass suffices; the loop only guards against a marker built by one
        broken = pattern.sub(_break, text)
        if broken == text:
            return text
        text = broken
    return text
