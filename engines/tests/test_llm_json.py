"""A model's (or a server's) JSON answer that Python will not read is the engine's error."""

from __future__ import annotations

import pytest

from engines.errors import EngineResponseError
from engines.llm_common import parse_json_object


@pytest.mark.parametrize(
    "text",
    ['{"severity": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000],
    ids=["integer-of-5000-digits", "nested-100000-deep"],
)
def test_json_python_will_not_read_is_a_bad_response(text: str) -> None:
    with pytest.raises(EngineResponseError, match="too large"):
        parse_json_object(text, engine="a server")
