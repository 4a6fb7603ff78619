import base64
import struct

import pytest
from rest_framework.test import APIClient

from conversations.models import Conversation, Turn
from conversations.tests.helpers import ScriptedLanguageModel, UnreachableLanguageModel

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_test_db")]


@pytest.fixture
def api():
    return APIClient()


def test_text_turn_over_rest_answers_with_the_reply_and_audio(api, npc, use_language_model):
    use_language_model(ScriptedLanguageModel(["Hello there! ", "What would you like?"]))

    response = api.post(
        f"/api/conversations/learner/{npc.npc_id}/conversation", {"text": "Good morning", "audio": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["transcript"] == "Good morning" and body["reply"] == "Hello there! What would you like?"
    assert body["error"] is None and body["metrics"]["total_ms"] >= body["metrics"]["first_audio_ms"]
    wavs = [base64.b64decode(item) for item in body["audio_wav_base64"]]
    assert len(wavs) == 2 and all(struct.unpack_from("<I", wav, 24)[0] == 22050 for wav in wavs)
    turn = Turn.objects.get(uuid=body["turn_id"])
    assert turn.npc_reply == body["reply"] and turn.conversation.ended_at is not None


def test_text_turn_reports_a_failed_model(api, npc, use_language_model):
    use_language_model(UnreachableLanguageModel())
    body = api.post(f"/api/conversations/learner/{npc.npc_id}/conversation", {"text": "Hi"}, format="json").json()
    assert body["error"]["code"] == "llm_unavailable" and body["reply"] == ""
    assert "audio_wav_base64" not in body


def test_text_turn_validation_and_unknown_npc(api, npc):
    assert api.post(f"/api/conversations/learner/{npc.npc_id}/conversation", {}, format="json").json()["fields"]["text"]
    missing = api.post("/api/conversations/learner/nobody/conversation", {"text": "Hi"}, format="json")
    assert missing.status_code == 404 and "nobody" in missing.json()["text"]
    assert not Conversation.objects.exists()
