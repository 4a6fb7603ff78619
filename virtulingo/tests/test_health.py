import pytest
from django.conf import settings
from django.test import override_settings


@pytest.mark.django_db
def test_health_reports_the_database_and_redis(client):
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok", "vendor": "postgresql" if settings.DATABASE_URL else "sqlite"}
    expected_redis = "ok" if settings.REDIS_URL else "not_configured"
    assert body["redis"]["status"] == expected_redis
    assert body["grammar_queue"] == ("celery" if settings.CELERY_ENABLED else "in-process")
    engines = body["engines"]
    assert [engine["engine"] for engine in engines["stt"]] == ["faster-whisper"]
    assert engines["grammar_languages"]["en"]["engine"] == "harper"
    french = engines["grammar_languages"]["fr"]
    assert french["engine"] == "grammalecte" or "python3-grammalecte" in french["reason"]
    assert engines["grammar_languages"]["es"]["state"] == "unavailable"


@pytest.mark.django_db
@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_health_is_degraded_when_redis_is_unreachable(client):
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert body["redis"]["status"] == "error"
    assert body["redis"]["error"]
    assert body["database"]["status"] == "ok"


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "VirtuLingo API"
    assert "/health" in schema["paths"]


@pytest.mark.django_db
def test_health_counts_the_replies_begun_at_a_pause(client, monkeypatch):
    from conversations.orchestrator import SPECULATION

    monkeypatch.setattr(SPECULATION, "hits", 3)
    monkeypatch.setattr(SPECULATION, "misses", 1)

    speculation = client.get("/health").json()["speculation"]

    assert speculation["enabled"] == settings.SPECULATIVE_REPLIES
    assert (speculation["hits"], speculation["misses"], speculation["hit_rate"]) == (3, 1, 0.75)


@pytest.mark.django_db
@pytest.mark.models  # loads espeak-ng's library (milliseconds) to list its voices
def test_health_reports_npcs_whose_voice_does_not_exist(client):
    from npcs.tests.factories import NPCFactory
    from virtulingo.demo_content import NPCS

    assert client.get("/health").json()["npc_voices"] == {"status": "ok", "checked": len(NPCS), "problems": {}}
    NPCFactory(npc_id="pierre_old", language="fr", voice={"espeak": "fr-fr"})
    voices = client.get("/health").json()["npc_voices"]
    assert voices["status"] == "error" and list(voices["problems"]) == ["pierre_old"]
    assert "espeak-ng has no voice 'fr-fr'" in voices["problems"]["pierre_old"][0]
