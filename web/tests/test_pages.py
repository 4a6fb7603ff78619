import re
from io import StringIO

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from players.models import Player
from players.services import player_authenticate
from web.services import console_player_id
from web.templatetags.web_tags import words_diff
from web.tests.conftest import PASSWORD


@pytest.mark.django_db
def test_the_home_page_leads_each_audience_to_their_pages(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    for link in [
        "/accounts/login/?next=/learn/progress/",
        "/accounts/login/?next=/teach/",
        "/admin/npcs/npc/",
        "/api/schema/",
        "/developers/protocol.md",
        "/developers/protocol-events.schema.json",
    ]:
        assert f'href="{link}"' in html, link


@pytest.mark.django_db
def test_the_home_page_links_a_signed_in_learner_and_teacher_to_their_pages(client, learner, classroom, teacher):
    client.force_login(learner.user)
    assert 'href="/learn/review/"' in client.get("/").content.decode()
    client.force_login(teacher)
    assert f'href="/teach/classes/{classroom.pk}/"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_developer_documents_are_served_and_nothing_else(client):
    protocol = client.get("/developers/protocol.md")
    assert protocol.status_code == 200
    assert b"VirtuLingo wire protocol" in b"".join(protocol.streaming_content)
    assert client.get("/developers/protocol-events.schema.json")["Content-Type"] == "application/json"
    assert client.get("/developers/ARCHITECTURE.md").status_code == 404
    assert client.get("/developers/..%2Fsettings.py").status_code == 404


@pytest.mark.django_db
def test_a_learner_signs_in_through_the_login_form(client, learner):
    form = client.get("/accounts/login/?next=/learn/mistakes/")
    assert form.status_code == 200 and 'id="login-form"' in form.content.decode()

    wrong = client.post("/accounts/login/", {"username": "learner_ana", "password": "wrong"})
    assert "did not match" in wrong.content.decode()

    response = client.post(
        "/accounts/login/", {"username": "learner_ana", "password": PASSWORD, "next": "/learn/mistakes/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/learn/mistakes/")
    assert client.get("/learn/mistakes/").status_code == 200


@pytest.mark.django_db
def test_signing_out_is_a_post_back_to_the_home_page(learner_client):
    response = learner_client.post("/accounts/logout/")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert learner_client.get("/learn/progress/").status_code == 302


@pytest.mark.parametrize(
    ("original", "corrected", "said", "better"),
    [
        ("She don't like apples.", "She doesn't like apples.", ["don't"], ["doesn't"]),
        ("I want a apple", "I want an apple", ["a"], ["an"]),
        ("Where you are going?", "Where are you going?", ["are"], ["are"]),  # one word moved
        ("Thank you.", "Thank you.", [], []),
    ],
)
def test_the_diff_marks_only_the_changed_words(original, corrected, said, better):
    left, right = words_diff(original, corrected)

    assert [token for token, changed in left if changed] == said
    assert [token for token, changed in right if changed] == better
    assert "".join(token for token, _ in left).replace(" ", "") == original.replace(" ", "")


@pytest.mark.django_db
def test_the_npc_admin_page_links_to_its_console(staff_client, npc):
    # The admin's own quoting: "_22" in a plain id would read as a quote character.
    response = staff_client.get(reverse("admin:npcs_npc_change", args=[quote(npc.npc_id)]))

    assert f'href="/admin/npcs/npc/{npc.npc_id}/talk/"' in response.content.decode()


@pytest.mark.django_db
def test_the_console_is_for_staff_only(client, npc, teacher, learner):
    url = reverse("npc-talk", args=[npc.npc_id])
    assert client.get(url)["Location"].startswith("/admin/login/")
    for user in (teacher, learner.user):
        client.force_login(user)
        assert client.get(url)["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_the_console_hands_the_browser_a_token_of_the_staff_members_test_player(staff_client, admin_user, npc):
    npc.language, npc.cefr_level = "fr", "B1"
    npc.save()

    response = staff_client.get(reverse("npc-talk", args=[npc.npc_id]))

    console = response.context["console"]
    player_id = console_player_id(user=admin_user)
    assert console["path"] == f"/api/conversations/ws/stream/{player_id}/{npc.npc_id}"
    player = player_authenticate(player_id=player_id, token=console["token"])
    assert (player.target_language, player.proficiency_level, player.user) == ("fr", "B1", None)
    assert 'id="console-config"' in response.content.decode()
    # The breadcrumb leads back to the NPC's page, in the admin's quoting.
    assert f'href="/admin/npcs/npc/{quote(npc.npc_id)}/change/"' in response.content.decode()
    # Opening the console again ends the first token.
    staff_client.get(reverse("npc-talk", args=[npc.npc_id]))
    assert Player.objects.get(player_id=player_id).token_hash != player.token_hash


@pytest.mark.django_db
def test_the_console_of_an_unknown_npc_is_404(staff_client):
    assert staff_client.get("/admin/npcs/npc/nobody/talk/").status_code == 404


def _printed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^User (\S+): password (\S+)$", output, re.MULTILINE))


@pytest.mark.django_db
def test_seed_demo_gives_each_demo_learner_an_account_named_after_the_player(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)

    passwords = _printed_passwords(out.getvalue())
    for player in Player.objects.filter(player_id__startswith="learner_"):
        assert player.user.username == player.player_id
        assert client.login(username=player.player_id, password=passwords[player.player_id])
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert _printed_passwords(again.getvalue()) == {}
    assert get_user_model().objects.filter(username__startswith="learner_").count() == 3
