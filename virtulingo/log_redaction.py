"""Secrets never reach a log: a player token (or any credential) in a URL's query string is
replaced by ``[redacted]`` wherever a URL is logged.

Two places write URLs: the logging system (Django's request logging, Daphne's runserver,
anything of ours) and Daphne's access log, which Daphne writes straight to its stream, not
through logging. ``RedactSecretsFilter`` sits on every handler of LOGGING;
``daphne_access_log_redact`` wraps Daphne's one entry point for its action logger, so the
access log of ``daphne virtulingo.asgi:application`` is redacted too."""

from __future__ import annotations

import logging
import re
from typing import Any

# Query parameters whose value is a credential (case-insensitive): the player token the Unity
# client may send as ?token=, and the usual names of keys and passwords.
SECRET_PARAMETERS = ("token", "access_token", "auth", "key", "api_key", "apikey", "password", "secret", "signature")
REDACTED = "[redacted]"

_SECRET_IN_QUERY = re.compile(
    r"(?P<lead>[?&;](?:{})=)[^&;#\s\"']*".format("|".join(re.escape(name) for name in SECRET_PARAMETERS)),
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with the value of every secret query parameter of every URL in it replaced."""
    return _SECRET_IN_QUERY.sub(lambda match: match.group("lead") + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Redacts the formatted message of every record (arguments included) before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_WRAPPED = "_virtulingo_redacts_paths"


def daphne_access_log_redact() -> None:
    """Daphne's access log (``--access-log``, or stdout at verbosity 1) with secrets redacted.

    Daphne hands every access-log entry to ``Server.log_action`` with the request's path (its
    query string included for HTTP); the path is redacted there, once per process."""
    try:
        from daphne.server import Server
    except ImportError:  # not served by Daphne
        return
    if getattr(Server.log_action, _WRAPPED, False):
        return
    original = Server.log_action

    def log_action(self: Server, protocol: str, action: str, details: dict[str, Any]) -> None:
        if isinstance(details.get("path"), str):
            details = {**details, "path": redact(details["path"])}
        original(self, protocol, action, details)

    setattr(log_action, _WRAPPED, True)
    Server.log_action = log_action  # type: ignore[method-assign]
