"""Every demo NPC answers a typed turn with audio, on the embedded engines of this machine
(issue 9: the French baker's voice did not exist in the bundled espeak-ng and nobody saw it)."""

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from engines.audio import read_wav
from virtulingo import demo_content

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_test_db"), pytest.mark.models]


@pytest.mark.parametrize("npc", demo_content.NPCS, ids=lambda npc: npc["npc_id"])
def test_a_typed_turn_to_every_demo_npc_gets_a_reply_and_audio(npc, engines):
    call_command("seed_demo", stdout=StringIO())

    response = APIClient().post(
        f"/api/conversations/learner_demo/{npc['npc_id']}/conversation",
        {"text": demo_content.LEARNER_GREETINGS[npc["language"]], "audio": True},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["error"] is None, body["error"]
    assert body["reply"].strip()
    audio = [read_wav(base64.b64decode(item)) for item in body["audio_wav_base64"]]
    assert audio, "no audio"
    assert sum(clip.seconds for clip in audio) > 0.3, "the reply's audio is (nearly) empty"
