"""Teachers reject false positives (and undo it) through the REST API."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from grammar.models import Mistake
from grammar.review import review_item_create_for_mistake
from grammar.tests.factories import MistakeFactory
from players.models import Classroom
from players.services import player_token_issue
from players.tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mistake():
    mistake = MistakeFactory(
        category="verb_conjugation",
        original="goed",
        correction="went",
        grammar_check__utterance="I goed home.",
        grammar_check__corrected_utterance="I went home.",
    )
    review_item_create_for_mistake(mistake=mistake)
    return mistake


@pytest.fixture
def teacher():
    return get_user_model().objects.create_user(username="ms_lane", password="x")


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_a_teacher_of_the_learners_class_rejects_and_the_mistake_leaves_statistics_and_review(mistake, teacher):
    Classroom.objects.create(name="4B", teacher=teacher).learners.add(mistake.player)
    player_id = mistake.player.player_id
    learner = APIClient()
    assert learner.get(f"/api/conversations/{player_id}/mistakes").json() == [
        {"category": "verb_conjugation", "count": 1}
    ]
    assert learner.post(f"/api/review/{player_id}/generate").json()["exercises"]

    response = _client(teacher).post(f"/api/mistakes/{mistake.pk}/reject")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == mistake.pk and body["player_id"] == player_id
    assert body["status"] == "rejected" and body["rejected_by"] == "ms_lane" and body["rejected_at"]
    assert learner.get(f"/api/conversations/{player_id}/mistakes").json() == []
    session = learner.post(f"/api/review/{player_id}/generate").json()
    assert session["exercises"] == [] and session["top_mistake_categories"] == []


def test_restore_puts_the_mistake_back_into_statistics_and_review(mistake, teacher):
    Classroom.objects.create(name="4B", teacher=teacher).learners.add(mistake.player)
    client = _client(teacher)
    client.post(f"/api/mistakes/{mistake.pk}/reject")

    response = client.post(f"/api/mistakes/{mistake.pk}/restore")

    assert response.status_code == 200
    assert response.json()["status"] == "active" and response.json()["rejected_by"] is None
    player_id = mistake.player.player_id
    assert APIClient().get(f"/api/conversations/{player_id}/mistakes").json() == [
        {"category": "verb_conjugation", "count": 1}
    ]
    exercises = APIClient().post(f"/api/review/{player_id}/generate").json()["exercises"]
    assert [exercise["id"].split(":")[0] for exercise in exercises] == [str(mistake.review_item.pk)]


def test_rejecting_twice_keeps_the_first_rejection(mistake, admin_user, teacher):
    Classroom.objects.create(name="4B", teacher=teacher).learners.add(mistake.player)
    _client(admin_user).post(f"/api/mistakes/{mistake.pk}/reject")

    again = _client(teacher).post(f"/api/mistakes/{mistake.pk}/reject")

    assert again.status_code == 200 and again.json()["rejected_by"] == admin_user.get_username()


def test_staff_may_reject_any_learners_mistake(mistake, admin_user):
    response = _client(admin_user).post(f"/api/mistakes/{mistake.pk}/reject")
    assert response.status_code == 200
    assert Mistake.objects.get(pk=mistake.pk).status == Mistake.Status.REJECTED


def test_a_teacher_of_another_class_is_refused(mistake, teacher):
    Classroom.objects.create(name="4C", teacher=teacher).learners.add(PlayerFactory())

    for action in ("reject", "restore"):
        response = _client(teacher).post(f"/api/mistakes/{mistake.pk}/{action}")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied" and "none of your classes" in response.json()["text"]
    assert Mistake.objects.get(pk=mistake.pk).status == Mistake.Status.ACTIVE


def test_an_unknown_mistake_is_404_in_the_error_shape(admin_user):
    response = _client(admin_user).post("/api/mistakes/987654/reject")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No mistake 987654.", "text": "No mistake 987654."}


def test_a_player_token_cannot_reject_even_its_own_mistake_nor_with_a_staff_user_linked(mistake, admin_user):
    player = mistake.player
    player.user = admin_user
    player.save()
    token = player_token_issue(player=player)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.post(f"/api/mistakes/{mistake.pk}/reject")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and "player token" in response.json()["text"]
    assert Mistake.objects.get(pk=mistake.pk).status == Mistake.Status.ACTIVE


def test_anonymous_requests_are_refused(mistake):
    response = APIClient().post(f"/api/mistakes/{mistake.pk}/reject")
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"
    assert Mistake.objects.get(pk=mistake.pk).status == Mistake.Status.ACTIVE


def test_a_session_request_needs_the_csrf_token(mistake, admin_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(f"/api/mistakes/{mistake.pk}/reject")

    assert response.status_code == 403 and "CSRF" in response.json()["text"]
    assert Mistake.objects.get(pk=mistake.pk).status == Mistake.Status.ACTIVE
