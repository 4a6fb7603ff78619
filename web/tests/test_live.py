"""The class dashboard's live socket: a teacher's session, their own class only, events on the channel layer."""

import json
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from conversations.models import Turn
from conversations.signals import turn_recorded
from engines.interfaces import GrammarEdit, GrammarResult
from grammar.models import GrammarCheck
from grammar.services import grammar_check_store
from grammar.tests.factories import GrammarCheckFactory
from virtulingo.asgi import application
from web.live_events import LIVE_EVENT, live_events_schema
from web.receivers import live_turn
from web.tests.practice import DONT, conversation_with, turn_with

RESULT = GrammarResult(
    status="ok",
    mistake_found=True,
    original="She don't like apples.",
    correction="She doesn't like apples.",
    edits=(GrammarEdit("don't", "doesn't", "verb_conjugation", "With she, doesn't.", 3),),
    engine="harper",
)

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    return [
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())
    ]


async def open_live(classroom_id: int, headers) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, f"/teach/classes/{classroom_id}/live", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


@pytest.mark.asyncio
async def test_the_teacher_sees_each_new_turn_and_correction_of_their_class(teacher, classroom, learner, baker):
    communicator, connected = await open_live(classroom.pk, await database_sync_to_async(session_cookie)(teacher))
    assert connected

    turn = await database_sync_to_async(turn_with)(
        conversation=await database_sync_to_async(conversation_with)(player=learner, npc=baker),
        transcript="She don't like apples.",
        checked=False,
    )
    await database_sync_to_async(live_turn)(sender=Turn, turn_id=turn.pk)
    spoken = await communicator.receive_json_from(timeout=5)
    # The grammar room stores the check's result as it does for every turn.
    check = await database_sync_to_async(GrammarCheckFactory)(turn=turn, status=GrammarCheck.Status.PENDING)
    await database_sync_to_async(grammar_check_store)(check_id=check.pk, result=RESULT, duration_ms=1)
    correction = await communicator.receive_json_from(timeout=5)

    for event in (spoken, correction):
        assert LIVE_EVENT.validate_python(event).model_dump(mode="json") == event, "exactly the published shape"
    assert correction["type"] == "grammar_correction" and correction["player_id"] == "learner_ana"
    assert correction["categories"] == ["verb_conjugation"]
    assert correction["correction"] == "She doesn't like apples."
    assert spoken["type"] == "conversation_turn"
    assert (spoken["player_id"], spoken["npc_name"], spoken["text"]) == ("learner_ana", "Tom", "She don't like apples.")
    assert await communicator.receive_nothing()
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_another_teachers_class_an_unknown_class_and_a_visitor_are_closed_with_4404(
    teacher, classroom, foreign_classroom, other_learner, baker
):
    teacher_cookie = await database_sync_to_async(session_cookie)(teacher)
    for classroom_id, headers in [(foreign_classroom.pk, teacher_cookie), (99999, teacher_cookie), (classroom.pk, [])]:
        communicator, _ = await open_live(classroom_id, headers)
        assert (await communicator.receive_output(timeout=5))["code"] == 4404
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_turn_of_a_learner_outside_the_class_is_not_sent(teacher, classroom, other_learner, baker):
    communicator, _ = await open_live(classroom.pk, await database_sync_to_async(session_cookie)(teacher))

    turn = await database_sync_to_async(turn_with)(
        conversation=await database_sync_to_async(conversation_with)(player=other_learner, npc=baker),
        transcript="She don't like apples.",
        edits=(DONT,),
    )
    await database_sync_to_async(live_turn)(sender=Turn, turn_id=turn.pk)

    assert await communicator.receive_nothing()
    await communicator.disconnect()


def test_the_live_receiver_listens_for_recorded_turns():
    # The tests above call it directly: sending the signal would also start a real grammar check.
    sync_receivers, _ = turn_recorded._live_receivers(Turn)
    assert live_turn in sync_receivers


def test_the_published_dashboard_schema_is_the_models_schema():
    published = json.loads((Path(settings.BASE_DIR) / "docs" / "dashboard-events.schema.json").read_text())
    assert published == live_events_schema(), (
        "docs/dashboard-events.schema.json is out of date: "
        "python -m web.live_events > docs/dashboard-events.schema.json"
    )
