import pytest
from django.test import override_settings

from players.models import Player
from players.services import PlayerAuthenticationError, player_authenticate, player_token_hash, player_token_issue


@pytest.mark.django_db
def test_token_is_stored_only_as_its_hash(player):
    token = player_token_issue(player=player)
    player.refresh_from_db()
    assert player.token_hash == player_token_hash(token=token)
    assert token not in player.token_hash
    assert len(token) >= 40


@pytest.mark.django_db
def test_token_authenticates_its_own_player_only(player):
    token = player_token_issue(player=player)
    other = Player.objects.create(player_id="someone_else")
    assert player_authenticate(player_id=player.player_id, token=token) == player
    with pytest.raises(PlayerAuthenticationError):
        player_authenticate(player_id=other.player_id, token=token)
    with pytest.raises(PlayerAuthenticationError):
        player_authenticate(player_id=player.player_id, token="wrong-token")


@pytest.mark.django_db
@override_settings(VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS=True)
def test_development_mode_creates_an_unknown_player_on_first_use():
    player = player_authenticate(player_id="unity_player", token=None)
    assert Player.objects.get(player_id="unity_player") == player
    # A second connection reuses it.
    assert player_authenticate(player_id="unity_player", token=None) == player
    assert Player.objects.filter(player_id="unity_player").count() == 1


@pytest.mark.django_db
@override_settings(VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS=False)
def test_without_anonymous_players_a_token_is_required(player):
    with pytest.raises(PlayerAuthenticationError) as excinfo:
        player_authenticate(player_id=player.player_id, token=None)
    assert "token is required" in str(excinfo.value)
    assert excinfo.value.code == "unauthorized"
    with pytest.raises(PlayerAuthenticationError):
        player_authenticate(player_id="never_seen", token=None)
    assert not Player.objects.filter(player_id="never_seen").exists()
