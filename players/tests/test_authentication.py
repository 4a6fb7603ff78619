import pytest
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from players.authentication import PlayerTokenAuthentication, token_from_request_parts
from players.services import player_token_issue


@pytest.mark.parametrize(
    ("authorization", "query_token", "expected"),
    [
        ("Bearer abc", None, "abc"),
        ("bearer abc", "ignored", "abc"),
        ("Basic dXNlcg==", "q", "q"),
        (None, "q", "q"),
        ("Bearer ", None, None),
        (None, None, None),
        (None, "", None),
    ],
)
def test_token_from_request_parts(authorization, query_token, expected):
    assert token_from_request_parts(authorization=authorization, query_token=query_token) == expected


def _authenticate(**request_kwargs):
    request = Request(APIRequestFactory().get("/", **request_kwargs))
    return PlayerTokenAuthentication().authenticate(request)


@pytest.mark.django_db
def test_bearer_header_and_query_token_authenticate_the_player(player):
    token = player_token_issue(player=player)
    _, by_header = _authenticate(HTTP_AUTHORIZATION=f"Bearer {token}")
    _, by_query = _authenticate(data={"token": token})
    assert by_header == by_query == player


@pytest.mark.django_db
def test_no_token_is_not_an_authentication_attempt():
    assert _authenticate() is None


@pytest.mark.django_db
def test_a_wrong_token_is_refused():
    with pytest.raises(exceptions.AuthenticationFailed):
        _authenticate(HTTP_AUTHORIZATION="Bearer not-a-token")
