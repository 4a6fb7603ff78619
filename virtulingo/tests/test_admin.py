"""Every admin page loads for a staff user: changelist, add and change of each model."""

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from conversations.tests.factories import TurnFactory
from grammar.tests.factories import MistakeFactory
from players.models import Classroom, Relationship

# Records of what happened are read-only in the admin: they can be viewed, not added.
READ_ONLY_MODELS = {"conversations.conversation", "grammar.grammarcheck", "grammar.mistake"}


@pytest.fixture
def every_model(db, admin_user):
    mistake = MistakeFactory(grammar_check__turn=TurnFactory())
    turn = mistake.grammar_check.turn
    player = mistake.player
    npc = turn.conversation.npc
    relationship = Relationship.objects.create(player=player, npc=npc, score=0.2)
    classroom = Classroom.objects.create(name="Class A", teacher=admin_user)
    classroom.learners.add(player)
    return {
        "npcs.scene": npc.scene,
        "npcs.npc": npc,
        "players.player": player,
        "players.relationship": relationship,
        "players.classroom": classroom,
        "conversations.conversation": turn.conversation,
        "grammar.grammarcheck": mistake.grammar_check,
        "grammar.mistake": mistake,
    }


def _admin_url(label: str, action: str, *args) -> str:
    app_label, model_name = label.split(".")
    # Quoted as the admin's own links are: its URLs read "_22" in a key as an escaped '"', so a
    # factory NPC named npc_220 was "not found" once the sequence reached it.
    return reverse(f"admin:{app_label}_{model_name}_{action}", args=[quote(arg) for arg in args])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "label",
    [
        "npcs.scene",
        "npcs.npc",
        "players.player",
        "players.relationship",
        "players.classroom",
        "conversations.conversation",
        "grammar.grammarcheck",
        "grammar.mistake",
    ],
)
def test_admin_pages_load_for_staff(staff_client, every_model, label):
    obj = every_model[label]
    changelist = staff_client.get(_admin_url(label, "changelist"))
    assert changelist.status_code == 200
    assert obj.pk in [row.pk for row in changelist.context["cl"].result_list]

    change = staff_client.get(_admin_url(label, "change", obj.pk))
    assert change.status_code == 200

    add = staff_client.get(_admin_url(label, "add"))
    assert add.status_code == (403 if label in READ_ONLY_MODELS else 200)


@pytest.mark.django_db
def test_conversation_page_shows_its_turns(staff_client, every_model):
    conversation = every_model["conversations.conversation"]
    response = staff_client.get(_admin_url("conversations.conversation", "change", conversation.pk))
    assert b"She don&#x27;t like apples." in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["language__exact=en", "cefr_level__exact=A2", "is_active__exact=1", "q=npc"])
def test_npc_list_filters_and_search(staff_client, npc, query):
    response = staff_client.get(_admin_url("npcs.npc", "changelist") + "?" + query)
    assert response.status_code == 200
    assert npc.npc_id.encode() in response.content


@pytest.mark.django_db
def test_admin_requires_staff(client, npc):
    response = client.get(_admin_url("npcs.npc", "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
