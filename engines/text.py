"""Sentence splitting for per-sentence text-to-speech."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (or their CJK forms) followed by space or the end.
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"'»”)\]]*\s+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]
