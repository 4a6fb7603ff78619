"""GET /health: the state of the database, Redis, the channel layer, the broker, the engines and
whether every NPC's voice exists."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.orchestrator import SPECULATION
from engines.errors import EngineError
from engines.registry import get_registry
from npcs.voices import npc_voices_report
from virtulingo.demo_content import NPCS as DEMO_NPCS

REDIS_PING_TIMEOUT_SECONDS = 1.0


def database_health() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"status": "error", "vendor": connection.vendor, "error": str(exc).strip()}
    return {"status": "ok", "vendor": connection.vendor}


def redis_health() -> dict:
    if not settings.REDIS_URL:
        return {"status": "not_configured", "detail": "REDIS_URL is not set: world state is kept in this process."}
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=REDIS_PING_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_PING_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return {"status": "error", "error": str(exc)}
    finally:
        client.close()
    return {"status": "ok"}


def engines_health() -> dict:
    """Each configured engine's state; reading it never loads a model."""
    try:
        return get_registry().health()
    except EngineError as exc:
        return {"error": str(exc)}


def voices_health() -> dict:
    """Whether every demo NPC (and every active NPC in the database) has voices that exist: a
    missing one is reported here at start-up rather than as a failed turn later."""
    try:
        return npc_voices_report(npcs=DEMO_NPCS)
    except DatabaseError as exc:
        return {"status": "error", "error": str(exc).strip()}


def health_report() -> dict:
    checks = {"database": database_health(), "redis": redis_health()}
    healthy = all(check["status"] in {"ok", "not_configured"} for check in checks.values())
    return {
        "status": "ok" if healthy else "degraded",
        **checks,
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
        "grammar_queue": "celery" if settings.CELERY_ENABLED else "in-process",
        "engines": engines_health(),
        # This process's replies begun at a learner's pause: adopted, dropped, work lost to drops.
        "speculation": {"enabled": settings.SPECULATIVE_REPLIES, **SPECULATION.as_dict()},
        # Reported, not a 503: the server still answers every NPC, some in a fallback voice or none.
        "npc_voices": voices_health(),
    }


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            fields={
                "status": serializers.ChoiceField(choices=["ok", "degraded"]),
                "database": serializers.DictField(),
                "redis": serializers.DictField(),
                "channel_layer": serializers.CharField(),
                "grammar_queue": serializers.CharField(),
                "engines": serializers.DictField(),
                "speculation": serializers.DictField(),
                "npc_voices": serializers.DictField(),
            },
        )
    )
    def get(self, request):
        report = health_report()
        return Response(report, status=200 if report["status"] == "ok" else 503)
