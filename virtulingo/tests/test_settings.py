"""Settings come from the environment: each case loads them in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARIABLES = [
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS",
]

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "database_name": str(settings.DATABASES["default"]["NAME"]),
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "celery_enabled": settings.CELERY_ENABLED,
    "debug": settings.DEBUG,
    "anonymous": settings.VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS,
    "daphne_first": settings.INSTALLED_APPS[0] == "daphne",
}))
"""


def _load_settings(**variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    env.update(variables, DJANGO_SETTINGS_MODULE="virtulingo.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def _settings(**variables: str) -> dict:
    result = _load_settings(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_configured_is_the_embedded_development_default():
    loaded = _settings()
    assert loaded["database"] == "django.db.backends.sqlite3"
    assert loaded["database_name"].endswith("db.sqlite3")
    assert loaded["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert loaded["celery_enabled"] is False
    assert loaded["debug"] is True
    assert loaded["anonymous"] is True
    assert loaded["daphne_first"] is True


def test_database_url_selects_postgresql():
    loaded = _settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert loaded["database"] == "django.db.backends.postgresql"
    assert loaded["database_name"] == "test"


def test_redis_url_selects_the_redis_channel_layer_and_broker():
    loaded = _settings(REDIS_URL="redis://127.0.0.1:6379/3")
    assert loaded["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert loaded["broker"] == "redis://127.0.0.1:6379/3"
    assert loaded["celery_enabled"] is True


def test_an_explicit_broker_wins_over_redis():
    loaded = _settings(REDIS_URL="redis://127.0.0.1:6379/3", CELERY_BROKER_URL="amqp://guest@127.0.0.1//")
    assert loaded["broker"] == "amqp://guest@127.0.0.1//"


def test_production_requires_a_secret_key():
    result = _load_settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("allow", "expected"), [("", False), ("true", True)])
def test_production_refuses_anonymous_players_unless_allowed(allow, expected):
    loaded = _settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS=allow)
    assert loaded["debug"] is False
    assert loaded["anonymous"] is expected


def test_a_malformed_boolean_is_a_clear_error():
    result = _load_settings(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_every_variable_is_read_in_one_place_and_documented_in_readme_and_env_example():
    import ast
    import re

    from virtulingo.environment import Environment

    readme = (PROJECT_ROOT / "README.md").read_text()
    example = (PROJECT_ROOT / ".env.example").read_text()
    undocumented = [
        name
        for name in Environment.model_fields
        if name not in readme or not re.search(rf"^{name}=", example, re.MULTILINE)
    ]
    assert undocumented == []

    # No product module reads the environment behind Environment's back.
    readers = []
    for package in ("virtulingo", "engines", "vocabulary", "npcs", "players", "conversations", "grammar", "web"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if "tests" in path.parts:
                continue
            source = path.read_text()
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                    line = source.splitlines()[node.lineno - 1].strip()
                    if "DJANGO_SETTINGS_MODULE" not in line:
                        readers.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {line}")
    assert readers == []


def test_a_malformed_integer_names_the_variable():
    result = _load_settings(VIRTULINGO_ENGINE_WORKERS="four")
    assert result.returncode != 0
    assert "VIRTULINGO_ENGINE_WORKERS must be an integer, not 'four'" in result.stderr


def test_a_dead_workers_check_is_redelivered_within_a_minute_and_never_while_it_runs():
    from django.conf import settings

    from virtulingo import settings as project_settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    sweep = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert options["visibility_timeout"] + sweep <= 60
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < options["visibility_timeout"]
    # The configured engine bound (conftest.py raises the tests' own).
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT > project_settings.ENV.VIRTULINGO_ENGINE_TIMEOUT
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_check_deploy_is_clean_with_the_production_settings():
    """DEBUG off, HTTPS behind a proxy, a secret key: Django's deployment checks and
    drf-spectacular's schema checks find nothing (docs/DEPLOYMENT.md)."""
    import os
    import secrets
    import subprocess
    import sys

    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIRTULINGO_HTTPS"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS="game.example.com",
        VIRTULINGO_HTTPS="true",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_SOCKET_LIMITS = """
import json, django
django.setup()
from django.conf import settings
from conversations import audio, messages, serializers, voice_activity, voice_session
print(json.dumps({
    "audio_frame": audio.FRAME_MAX_BYTES,
    "text_frame": messages.TEXT_FRAME_MAX_BYTES,
    "typed_text": messages.TYPED_TEXT_MAX_CHARS,
    "utterance_push_to_talk": audio.UtteranceBuffer().max_seconds,
    "utterance_rest": serializers.SPOKEN_TURN_MAX_SECONDS,
    "utterance_hands_free_ms": voice_activity.SpeechTracker.__init__.__kwdefaults__["max_utterance_ms"],
    "messages": voice_session.MESSAGE_LIMIT,
    "errors": voice_session.ERROR_LIMIT,
    "sockets": settings.SOCKETS_PER_PLAYER,
    "unread_replies": settings.WS_MAX_BUFFERED_BYTES,
}))
"""


def test_the_websocket_limits_are_read_from_the_environment():
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="virtulingo.settings",
        VIRTULINGO_WS_AUDIO_FRAME_MAX_BYTES="65536",
        VIRTULINGO_WS_TEXT_FRAME_MAX_BYTES="4096",
        VIRTULINGO_TYPED_TEXT_MAX_CHARS="200",
        VIRTULINGO_UTTERANCE_MAX_SECONDS="12",
        VIRTULINGO_WS_MESSAGES_PER_10S="40",
        VIRTULINGO_WS_ERRORS_PER_10S="5",
        VIRTULINGO_SOCKETS_PER_PLAYER="3",
        VIRTULINGO_WS_MAX_BUFFERED_BYTES="131072",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SOCKET_LIMITS],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "audio_frame": 65536,
        "text_frame": 4096,
        "typed_text": 200,
        "utterance_push_to_talk": 12,
        "utterance_rest": 12,
        "utterance_hands_free_ms": 12000,
        "messages": 40,
        "errors": 5,
        "sockets": 3,
        "unread_replies": 131072,
    }


def test_a_frame_limit_daphne_would_cut_first_is_refused():
    result = _load_settings(VIRTULINGO_WS_AUDIO_FRAME_MAX_BYTES=str(2 * 1024 * 1024))
    assert result.returncode != 0
    assert "VIRTULINGO_WS_AUDIO_FRAME_MAX_BYTES" in result.stderr and "1048576" in result.stderr


def test_a_bound_on_unread_replies_below_twisteds_own_buffer_is_refused():
    # Under 64 KiB a client that reads could be dropped while Twisted's buffer fills normally.
    result = _load_settings(VIRTULINGO_WS_MAX_BUFFERED_BYTES="4096")
    assert result.returncode != 0
    assert "VIRTULINGO_WS_MAX_BUFFERED_BYTES" in result.stderr and "65536" in result.stderr


def test_an_utterance_limit_the_rest_body_limit_cannot_carry_is_refused():
    result = _load_settings(VIRTULINGO_UTTERANCE_MAX_SECONDS="60")
    assert result.returncode != 0
    assert "VIRTULINGO_API_MAX_BODY_BYTES" in result.stderr and "VIRTULINGO_UTTERANCE_MAX_SECONDS" in result.stderr
    assert _settings(VIRTULINGO_UTTERANCE_MAX_SECONDS="60", VIRTULINGO_API_MAX_BODY_BYTES=str(16 * 1024 * 1024))
