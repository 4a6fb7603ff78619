import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from players.models import Player
from players.services import PlayerAuthenticationError, player_authenticate, player_token_issue


def _token_from_messages(response) -> str:
    (message,) = [m.message for m in get_messages(response.wsgi_request) if "token" in m.message]
    return message.split(": ", 1)[1].split(" ", 1)[0]


@pytest.mark.django_db
def test_creating_a_player_shows_its_token_once(staff_client):
    response = staff_client.post(
        reverse("admin:players_player_add"),
        {
            "player_id": "new_learner",
            "display_name": "New",
            "target_language": "fr",
            "native_language": "en",
            "proficiency_level": "A1",
        },
        follow=True,
    )
    assert response.status_code == 200
    token = _token_from_messages(response)
    player = Player.objects.get(player_id="new_learner")
    assert token not in (player.token_hash or "")
    assert player_authenticate(player_id="new_learner", token=token) == player

    # The change page never shows it again.
    change = staff_client.get(reverse("admin:players_player_change", args=[player.pk]))
    assert token.encode() not in change.content


@pytest.mark.django_db
def test_regenerate_action_replaces_the_token(staff_client, player):
    old_token = player_token_issue(player=player)
    response = staff_client.post(
        reverse("admin:players_player_changelist"),
        {"action": "regenerate_tokens", "_selected_action": [player.pk]},
        follow=True,
    )
    new_token = _token_from_messages(response)
    assert new_token != old_token
    assert player_authenticate(player_id=player.player_id, token=new_token) == player
    with pytest.raises(PlayerAuthenticationError):
        player_authenticate(player_id=player.player_id, token=old_token)
