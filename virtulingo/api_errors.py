"""One error shape for every REST endpoint.

`{"code", "message", "text", "fields"?}`: `code` is stable and machine-readable,
`text` repeats `message` because the Unity client reads errors from `text` (as on
the WebSocket), and `fields` holds per-field validation errors.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The server's database is unavailable. Try again in a moment."
    default_code = "database_unavailable"


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        field, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if field == "non_field_errors" else f"{field}: {message}"
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # Django's own body limits (forms), which would otherwise be its HTML 400 page.
        exc = RequestTooLarge(str(exc))
    elif isinstance(exc, OperationalError | InterfaceError):
        # Down or restarting (the next request reconnects): a JSON 503 to retry, not an HTML 500.
        exc = DatabaseUnavailable()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
    elif not isinstance(code, str):
        code = "error"
    message = _first_message(
        response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
    )
    body = {"code": code, "message": message, "text": message}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["fields"] = exc.detail
    response.data = body
    return response
