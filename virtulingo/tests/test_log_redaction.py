"""No secret in any logged URL: a real Daphne process serving real requests with ?token=, its
access log and its logging output read back."""

import logging
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from conversations.tests.daphne_servers import free_port, server_environment
from virtulingo.log_redaction import REDACTED, RedactSecretsFilter, redact

SECRET = "s3cr3t-player-token-0123456789"


def test_redact_replaces_every_secret_parameter_and_keeps_the_rest():
    assert redact(f"GET /a?x=1&token={SECRET}&y=2 200") == f"GET /a?x=1&token={REDACTED}&y=2 200"
    assert redact(f"/ws/p/n?TOKEN={SECRET}") == f"/ws/p/n?TOKEN={REDACTED}"
    assert redact(f"/x?api_key={SECRET}#frag") == f"/x?api_key={REDACTED}#frag"
    assert redact("/x?tokens_left=3&monkey=1") == "/x?tokens_left=3&monkey=1"


def test_the_logging_filter_redacts_arguments_too():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/a?token={SECRET}",), None
    )
    assert RedactSecretsFilter().filter(record)
    assert SECRET not in record.getMessage()
    assert "token=[redacted]" in record.getMessage()


def test_every_configured_handler_redacts():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_secrets" in handler.get("filters", ()), name


def test_daphne_access_log_and_logging_of_real_requests_hold_no_token(tmp_path: Path):
    port = free_port()
    access_log = tmp_path / "access.log"
    output = tmp_path / "daphne.out"
    env = server_environment(tmp_path / "db.sqlite3", VIRTULINGO_WARM_UP_ENGINES="false", LOG_LEVEL="DEBUG")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-v",
            "2",
            "--access-log",
            str(access_log),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "virtulingo.asgi:application",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, output.read_text()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health?token={SECRET}", timeout=5).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert time.monotonic() < deadline, output.read_text()
                time.sleep(0.3)
        for path in (f"/api/no-such-thing/?token={SECRET}", f"/api/players/p1/?token={SECRET}&x=1"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).close()
            except urllib.error.HTTPError:
                pass
        deadline = time.monotonic() + 10
        while access_log.read_text().count("\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    logged = access_log.read_text()
    assert logged.count("token=[redacted]") >= 3, logged
    everything = logged + output.read_text()
    assert "/api/no-such-thing/" in everything
    assert SECRET not in everything
