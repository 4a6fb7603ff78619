"""A scripted HTTP server on 127.0.0.1 that answers in a cloud API's wire format.

Each request takes the next scripted reply; every request is recorded (path,
query, headers, body) so a test can check what the real SDK sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; list of dicts -> server-sent events; str/bytes -> as is
    delay: float = 0.0  # seconds before answering (a timeout test waits longer than the client)
    sse_done: bool = False  # OpenAI-style "data: [DONE]" at the end of an event stream
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class FakeServer:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                with server._lock:
                    server.requests.append(
                        Request(
                            "POST",
                            parts.path,
                            parse_qs(parts.query),
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
                    )
                    reply = server.replies.pop(0) if server.replies else Reply(500, {"error": "no reply scripted"})
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST

            def _send(self, reply: Reply) -> None:
                if isinstance(reply.body, list):
                    payload = b"".join(b"data: " + json.dumps(e).encode() + b"\r\n\r\n" for e in reply.body)
                    if reply.sse_done:
                        payload += b"data: [DONE]\r\n\r\n"
                    content_type = "text/event-stream"
                elif isinstance(reply.body, (dict, type(None))):
                    payload, content_type = json.dumps(reply.body or {}).encode(), "application/json"
                else:
                    payload = reply.body if isinstance(reply.body, bytes) else reply.body.encode()
                    content_type = "text/plain"
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def languagetool_a_accent_match() -> dict:
    """LanguageTool's wire answer for the "a" of "Je suis allé a la plage." (should be "à")."""
    return {
        "message": "Confusion possible entre « a » et « à ».",
        "shortMessage": "",
        "offset": 13,
        "length": 1,
        "replacements": [{"value": "à"}],
        "context": {"text": "", "offset": 13, "length": 1},
        "rule": {
            "id": "A_A_ACCENT",
            "description": "",
            "issueType": "grammar",
            "category": {"id": "CAT_HOMONYMES_PARONYMES", "name": "Homonymes"},
        },
    }


# One chunk of an OpenAI chat-completion stream, as a scripted Reply body holds it.
def delta(text: str | None, finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "qwen2.5:7b",
        "choices": [{"index": 0, "delta": {"content": text} if text is not None else {}, "finish_reason": finish}],
    }
