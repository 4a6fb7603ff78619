"""The REST API's JSON parser, with its limits: a body larger than
``VIRTULINGO_API_MAX_BODY_BYTES`` is ``request_too_large`` (413) and JSON that is malformed,
or nested deeper than ``VIRTULINGO_API_MAX_JSON_DEPTH``, is ``bad_json`` (400), both in the
API's one error shape (api_errors.py), never a server error or Django's HTML page."""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, parsers
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

from virtulingo.api_errors import RequestTooLarge


class BadJson(exceptions.ParseError):
    default_code = "bad_json"


def request_too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(f"The request body is larger than {limit} bytes.")


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists or objects deeper than ``limit`` (iterative: any depth)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


class LimitedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.VIRTULINGO_API_MAX_BODY_BYTES
        depth_limit = settings.VIRTULINGO_API_MAX_JSON_DEPTH
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        if stream is None:
            raise BadJson("The request has no JSON body.")
        try:
            body = stream.read(limit + 1)
        except RequestDataTooBig:
            raise request_too_large(limit) from None
        if len(body) > limit:
            raise request_too_large(limit)
        try:
            text = codecs.decode(body, encoding)
            parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise BadJson(f"The JSON is nested deeper than {depth_limit} levels.") from None
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
            raise BadJson(f"The body is not valid JSON: {exc}") from None
        if json_depth_exceeds(data, depth_limit):
            raise BadJson(f"The JSON is nested deeper than {depth_limit} levels.")
        return data
